# An installer run from /tmp and never removed: unsafe removal at the end
# of its RUN (a program could read it at run time).
FROM python:3.11
RUN curl -sSL -o /tmp/get-poetry.py https://install.python-poetry.org && python3 /tmp/get-poetry.py
CMD ["poetry", "--version"]
