FROM alpine:3.20
RUN apk add --no-cache gcc musl-dev bash && gcc -O2 -o /usr/local/bin/tool /dev/null || true
CMD ["tool"]
