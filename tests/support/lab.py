"""Running ``python -m rtnl.lab`` as a user would, from the repository."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO


def run_lab(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rtnl.lab", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
