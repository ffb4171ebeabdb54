FROM alpine:3.20
RUN echo "unterminated
RUN echo fine
RUN echo also fine
