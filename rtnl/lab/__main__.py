"""``python -m rtnl.lab``: see :mod:`rtnl.lab`."""

import sys

from rtnl.lab.cli import main

sys.exit(main())
