"""Running ``python -m rtnl.lab`` as a user would, from the repository."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.paths import REPO


def run_lab(*args: str, timeout: float = 300, columns: int = 1000) -> subprocess.CompletedProcess[str]:
    """The lab as a user runs it; ``columns`` is the terminal width its text is wrapped to."""
    return subprocess.run([sys.executable, "-m", "rtnl.lab", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "COLUMNS": str(columns)})
