# In a builder, apt-get -y (an install without it aborts) and gem
# --no-document (skips generating documentation: a faster build) are
# still added; the pip flag is not.
FROM ruby:3.2 AS build
RUN apt-get update && apt-get install libpq-dev && rm -rf /var/lib/apt/lists/*
RUN gem install bundler && pip install awscli
FROM ruby:3.2-slim
COPY --from=build /usr/local/bundle /usr/local/bundle
