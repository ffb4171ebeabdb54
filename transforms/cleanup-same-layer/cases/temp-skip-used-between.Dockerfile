# A RUN between unpacks the download: the bytes are needed there, so the
# rm cannot move into the RUN that downloaded it (skipped).
FROM debian:bookworm
RUN curl -fsSLo /tmp/app.tgz https://example.com/app.tgz
RUN tar -xzf /tmp/app.tgz -C /opt
RUN rm /tmp/app.tgz
