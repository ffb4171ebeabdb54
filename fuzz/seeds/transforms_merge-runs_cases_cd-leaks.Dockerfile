FROM alpine:3.20
WORKDIR /src
RUN cd /opt && tar xf /tmp/app.tar
RUN ./configure
RUN export PATH=/opt/bin:$PATH
RUN make
