"""What a student's kernel finds as ``upsampling_grader/__init__.py`` (upsampling_grader.sandbox).

The sandbox covers an installed grader's folder with an empty one holding only
this file, so that answers cannot import the grader (nor read it).
"""

raise ImportError("upsampling_grader is not available in a student's kernel")
