# $LINENO and $_ depend on where they are read: not merged.
FROM debian:bookworm-slim
RUN echo one
RUN echo "line $LINENO" > /line
RUN echo two
RUN echo "$_" > /last-argument
