FROM python:3.12 AS base
WORKDIR /app
FROM base AS dev
RUN git config --global init.defaultBranch main
CMD ["python"]
