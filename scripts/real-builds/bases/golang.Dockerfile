# Stand-in for golang:1.19 with Debian's golang-go (1.19) on buildpack-deps.
# The official image's ENV is kept (GOPATH, PATH, GOLANG_VERSION). No module
# proxy is reachable from the suite's builds, so its contexts have no
# third-party modules.
FROM buildpack-deps:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-go \
 && rm -rf /var/lib/apt/lists/* \
 && go version | grep -q ' go1\.19'
ENV GOLANG_VERSION=1.19 GOPATH=/go
ENV PATH=$GOPATH/bin:/usr/lib/go/bin:$PATH
RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH"
WORKDIR $GOPATH
