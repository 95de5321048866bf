"""Where tests and tools find the repository and the recorded kernel bytes, wherever they live."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"  # *.bin recorded by tools/record_fixtures.py
