import platform
import sys

print("python", sys.version_info.major, sys.version_info.minor, platform.system())
