# The lists are already removed, written another way: nothing is added.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl && rm -fr /var/lib/apt/lists
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt
RUN apt-get update && apt-get install -y curl && find /var/lib/apt/lists -type f -delete
RUN apt-get update && apt-get install -y curl && rm -rf "/var/lib/apt/lists"/*
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/ /tmp/*
RUN apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*
