"""Package version, read from the installed distribution."""

from importlib import metadata

try:
    __version__ = metadata.version("langchain-qwen")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"
