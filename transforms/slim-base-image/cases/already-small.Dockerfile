FROM python:3.12-slim AS a
FROM node:20-alpine3.20 AS b
FROM gcr.io/distroless/static-debian12 AS c
FROM debian:bookworm-slim
CMD ["true"]
