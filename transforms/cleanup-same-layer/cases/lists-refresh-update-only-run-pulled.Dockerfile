# A RUN that only updates is pulled into the install (safe), not given a
# second update.
FROM debian:bookworm
RUN apt-get update
RUN apt-get install -y git
