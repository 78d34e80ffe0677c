"""``python -m insights.cli``: the same as the ``insights`` command."""

import sys

from insights.cli import main

sys.exit(main())
