# `FROM 0` names an image called `0`, not the first stage (BuildKit
# matches FROM against stage names only; `--from=0` is a stage number):
# the build stage does not ship, so its slim swap saves no image size.
FROM python:3.11 AS build
RUN pip install --no-cache-dir flask
FROM 0
COPY --from=build /usr/local/lib /usr/local/lib
CMD ["python"]
