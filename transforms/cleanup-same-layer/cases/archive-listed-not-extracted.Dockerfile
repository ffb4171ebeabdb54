FROM debian:bookworm-slim
RUN curl -fsSLo /opt/tool.tar.gz https://example.com/tool.tar.gz && tar -tzf /opt/tool.tar.gz
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh && sh /tmp/install.sh
