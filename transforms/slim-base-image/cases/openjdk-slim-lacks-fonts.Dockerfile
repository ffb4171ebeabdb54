FROM openjdk:11-jdk
COPY Main.java /src/
RUN javac -d /out /src/Main.java
CMD ["java", "-cp", "/out", "Main"]
