"""``python -m upsampling_course.classroom``: see cli.py."""

import sys

from upsampling_course.classroom.cli import main

sys.exit(main())
