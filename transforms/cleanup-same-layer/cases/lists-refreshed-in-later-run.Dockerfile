# Issue 12 item 10: the first RUN's lists are read by a later install.
# Unsafe: the later RUN gets its own `apt-get update` and both remove the lists.
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
ENV A=1
RUN apt-get install -y git
