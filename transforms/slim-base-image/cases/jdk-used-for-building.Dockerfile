FROM eclipse-temurin:17-jdk
COPY src/ /src/
RUN javac -d /out /src/Main.java
CMD ["java", "-cp", "/out", "Main"]
