"""Entry point for ``python -m sharedmap``."""

import sys

from sharedmap.cli import main

sys.exit(main())
