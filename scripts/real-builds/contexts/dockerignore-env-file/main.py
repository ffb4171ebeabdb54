import os

print("mode", os.environ.get("MODE", "default"))
