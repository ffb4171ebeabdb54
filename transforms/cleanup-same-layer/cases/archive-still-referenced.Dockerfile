# A downloaded archive is kept when anything may still point to it: a glob
# in a later instruction, a link or a config line written in the same RUN.
FROM eclipse-temurin:21-jre AS glob
WORKDIR /opt
RUN curl -fsSLO https://example.com/releases/app.jar && unzip app.jar META-INF/MANIFEST.MF
CMD java -jar /opt/*.jar

FROM debian:bookworm-slim AS exec-form-glob
RUN wget -P /dist https://example.com/releases/v1/app-1.2.tgz && tar -xzf /dist/app-1.2.tgz -C /srv
ENTRYPOINT ["/srv/run", "/dist/app-*.tgz"]

FROM debian:bookworm-slim AS link
RUN curl -fsSLo /opt/tool.tgz https://example.com/tool.tgz && tar -xzf /opt/tool.tgz -C /opt && ln -s /opt/tool.tgz /srv/bundle.tgz

FROM debian:bookworm-slim AS config
RUN curl -fsSLo /opt/data.zip https://example.com/data.zip && unzip /opt/data.zip -d /srv && echo "bundle=/opt/data.zip" > /etc/app.conf

FROM debian:bookworm-slim AS checked-then-unpacked
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz && echo "abc  /tmp/tool.tgz" | sha256sum -c - && tar -xzf /tmp/tool.tgz -C /usr/local
