FROM debian:bookworm-slim
RUN apt-get update; apt-get install -y gcc; gcc -O2 -o /usr/local/bin/hello /src/hello.c
CMD ["hello"]
