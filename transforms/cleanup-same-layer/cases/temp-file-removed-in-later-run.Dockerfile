# Issue 12 item 5: an installer downloaded to /tmp and removed two steps
# later. The rm moves into the RUN that downloaded it; the RUN that only
# removed it goes.
FROM debian:bookworm
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh && sh /tmp/install.sh
ENV TOOL_HOME=/opt/tool
RUN rm /tmp/install.sh
