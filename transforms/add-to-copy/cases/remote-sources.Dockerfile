FROM alpine:3.20
ADD https://example.com/tool.tar.gz /opt/
ADD git@github.com:moby/buildkit.git#v0.14.0 /src/buildkit
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x.bin /x.bin
ADD --keep-git-dir=true https://github.com/moby/buildkit.git /src/bk
