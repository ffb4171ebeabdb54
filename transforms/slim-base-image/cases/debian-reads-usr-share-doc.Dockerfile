FROM debian:bookworm
RUN cp -r /usr/share/doc/bash /licenses && rm -rf /usr/share/man/*
CMD ["bash"]
