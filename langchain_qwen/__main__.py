"""``python -m langchain_qwen``: the ``langchain-qwen`` command line."""

import sys

from langchain_qwen.cli import main

if __name__ == "__main__":
    sys.exit(main())
