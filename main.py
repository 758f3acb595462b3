"""Thin launcher: ``python main.py ...`` is ``counter-desk ...``."""

import sys

from counter_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
