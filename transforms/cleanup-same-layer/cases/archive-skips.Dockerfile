FROM debian:bookworm-slim
RUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt
RUN curl -o /tmp/b.tgz https://example.com/b.tgz && tar -xzf /tmp/b.tgz -C /opt && rm /tmp/b.tgz
RUN curl -o c.tgz https://example.com/c.tgz && cd /opt && tar -xzf /c.tgz
RUN curl -o /tmp/d.tgz https://example.com/d.tgz && tar -xzf /tmp/d.tgz -C /opt
RUN sha256sum /tmp/d.tgz
RUN curl -o /tmp/e.zip https://example.com/e.zip
