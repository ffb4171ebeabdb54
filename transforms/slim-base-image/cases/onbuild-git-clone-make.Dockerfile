FROM python:3.12
ONBUILD RUN git clone https://example.com/plugins.git /plugins && make -C /plugins
CMD ["python"]
