# A proxy set between: the later update would fetch through it (skipped).
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
ENV http_proxy=http://proxy.internal:3128
RUN apt-get install -y git
