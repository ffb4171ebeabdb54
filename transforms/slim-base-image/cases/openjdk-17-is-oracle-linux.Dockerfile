FROM openjdk:17
CMD ["jshell"]
