"""Start a Baton station: `python main.py --demo` opens the demo warehouse."""

from __future__ import annotations

import sys

from app.ui.app import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
