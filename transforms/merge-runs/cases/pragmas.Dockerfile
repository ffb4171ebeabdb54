# RUNs under a pragma are left as they are.
FROM debian:bookworm-slim
RUN echo a
# dockerfmt-ignore
RUN echo b
RUN echo c
# hadolint ignore=DL3008,DL3059
RUN echo d
RUN echo e
# dockfix: ignore=merge-runs
RUN echo f
RUN echo g
# hadolint ignore=DL3008
RUN echo h
