"""`python -m workflow` is the same as the `metapipe` console script."""

import sys

from workflow.cli import main

sys.exit(main())
