FROM debian:bookworm
RUN apt-get update || true; apt-get install -y curl
RUN apt-get update && apt-get install -y jq || echo "jq not available"
