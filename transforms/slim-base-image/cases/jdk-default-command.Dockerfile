FROM eclipse-temurin:21-jdk
COPY lib/ /opt/lib/
