# A RUN between changes apt's sources: an update in the later RUN would
# fetch from them, so the lists stay (skipped).
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl gnupg
RUN echo "deb http://deb.example.org/debian bookworm main" > /etc/apt/sources.list.d/example.list
RUN apt-get install -y git
