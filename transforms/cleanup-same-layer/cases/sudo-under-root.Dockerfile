FROM debian:bookworm
# apt through sudo, even as root: the cleanup goes through sudo too, and
# stays unsafe (whether sudo lets this user run rm is not in the file).
RUN sudo apt-get update && sudo apt-get install -y curl
