from markupsafe import _speedups, escape

print(escape("<compiled>"), _speedups.__name__)
