FROM alpine:3.20
RUN sleep 5 &
RUN echo next
RUN echo last
