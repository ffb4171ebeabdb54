FROM debian:bookworm-slim
RUN curl -fsSLo /tmp/node.tar.xz https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-x64.tar.xz \
    && tar -xJf /tmp/node.tar.xz -C /usr/local --strip-components=1
RUN wget https://github.com/example/tool/releases/download/v1.0/tool_1.0_amd64.deb && dpkg -i tool_1.0_amd64.deb
