# gem --no-document and apt -y, as for a RUN; --no-install-recommends
# stays unsafe.
FROM ruby:3.2
ONBUILD RUN gem install bundler
ONBUILD RUN apt-get update && apt-get install curl && rm -rf /var/lib/apt/lists/*
