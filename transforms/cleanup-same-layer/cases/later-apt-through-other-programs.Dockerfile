# A later RUN that runs apt through a program dockfix does not know, or a
# program that reads the package lists itself, may need the lists: the
# cleanup is not safe before it.
FROM debian:bookworm-slim AS eatmydata
RUN apt-get update && apt-get install -y curl
COPY x /x
RUN eatmydata apt-get install -y git

FROM debian:bookworm-slim AS aptitude
RUN apt-get update && apt-get install -y curl
COPY x /x
RUN aptitude install -y git

FROM debian:bookworm-slim AS progress
RUN apt-get update && apt-get install -y curl
COPY x /x
RUN debconf-apt-progress -- apt-get install -y git

FROM debian:bookworm-slim AS build-deps
RUN apt-get update && apt-get install -y devscripts equivs
COPY debian/control /src/debian/control
RUN mk-build-deps -i -r -t "apt-get -y" /src/debian/control

# Printing the name runs nothing: the cleanup stays safe.
FROM debian:bookworm-slim AS printed
RUN apt-get update && apt-get install -y curl
COPY x /x
RUN echo "installed with apt-get" > /notes
