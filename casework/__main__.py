"""``python -m casework``: the ``casework`` command line."""

import sys

from casework.cli import main

sys.exit(main())
