"""``python -m upsampling_grader``: the same command as ``upsampling-grader`` (cli.py)."""

import sys

from upsampling_grader.cli import main

sys.exit(main())
