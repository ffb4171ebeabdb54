import six

print("hello", six.__version__)
