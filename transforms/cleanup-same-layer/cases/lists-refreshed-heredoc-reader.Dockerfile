# A heredoc reader gets the update on its first line.
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
ENV A=1
RUN <<EOT
apt-get install -y git
EOT
