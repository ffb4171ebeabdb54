FROM debian:bookworm
RUN apt-get update && apt-get install -y build-essential
ONBUILD RUN apt-get install -y libpq-dev
