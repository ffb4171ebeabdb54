FROM ruby:3.3
RUN git clone https://example.com/app.git /app
HEALTHCHECK CMD curl -f http://localhost:9292/ || exit 1
CMD ["ruby", "/app/app.rb"]
