FROM ubuntu:24.04 AS u
CMD ["bash"]
FROM debian:12
CMD ["bash"]
