FROM ruby:3.3-slim
RUN gem install bundler -v 2.5.9
RUN gem install --no-document rake
RUN echo "gem: --no-document" > ~/.gemrc
RUN gem install rails
