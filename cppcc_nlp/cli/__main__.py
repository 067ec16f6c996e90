"""``python -m cppcc_nlp.cli``."""

import sys

from cppcc_nlp.cli import main

sys.exit(main())
