FROM alpine:3.20
RUN make # build everything
RUN make install
RUN echo a
