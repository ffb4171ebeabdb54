# Issue 12 item 5 (~/.cache): go build leaves its build cache under
# /root/.cache/go-build in a stage that ships; the last RUN that builds
# cleans it.
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go mod download
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app ./cmd/app
RUN go install github.com/example/tool@v1.2.3
EXPOSE 8080
CMD ["app"]
