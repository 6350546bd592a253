"""`python -m simulator`: serve the simulated source institutions."""

import sys

from simulator.cli import main

sys.exit(main())
