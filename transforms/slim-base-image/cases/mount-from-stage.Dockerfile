FROM debian:bookworm AS docs
FROM python:3.12-slim
RUN --mount=from=docs,source=/usr/share/doc,target=/docs cp -r /docs/bash /licenses
CMD ["python"]
