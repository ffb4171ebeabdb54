FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 libc6-dev=2.36-9+deb12u7 && gcc -O2 -o /usr/local/bin/hello /usr/share/doc/hello.c && rm -rf /var/lib/apt/lists/*
CMD ["hello"]
