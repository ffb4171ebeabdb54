FROM alpine:3.20
RUN test -f /etc/os-release || exit 1
RUN mkdir -p /app; chmod 755 /app
RUN grep -q alpine /etc/os-release || echo "not alpine"
RUN touch /app/ready;
