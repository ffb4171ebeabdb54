FROM --platform=linux/amd64 docker.io/library/debian:bookworm AS base
CMD ["bash"]
FROM registry.example.com:5000/python:3.12
CMD ["python"]
