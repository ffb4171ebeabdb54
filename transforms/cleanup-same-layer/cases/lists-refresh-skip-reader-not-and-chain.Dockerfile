# The reader is not one && chain: a failing update prepended there would
# not stop it (skipped).
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
ENV A=1
RUN apt-get install -y git; echo done
