"""`python -m archbot`: the same entry point as the console script."""

import sys

from archbot.entry import main

sys.exit(main())
