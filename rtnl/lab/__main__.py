"""``python -m rtnl.lab``: see :mod:`rtnl.lab`."""

import sys

from .cli import main

sys.exit(main())
