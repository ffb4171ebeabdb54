from setuptools import setup
setup(name="mylib")
