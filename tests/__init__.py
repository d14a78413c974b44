"""The course's tests, laid out like the house they test.

- ``unit/``: the student package (upsampling_course), module by module;
- ``grader/``: the grader (upsampling_grader): a simulated class, batches,
  the sandbox, the static check of answers;
- ``assignments/``: every assignment's solution, release, and wrong, unusual
  and hostile answers, graded for real;
- ``book/``: the book's build, pages, site, PDF, launch notebooks and the
  instructor pages' commands;
- ``repo/``: the checkout itself: lint, layout and imports, sources,
  dev.py, the cluster files;
- ``support/``: what those tests share (and benchmarks/ may import).

Tests marked ``slow`` build the book, grade with nbgrader, train networks or
open a browser; ``python3 dev.py test --fast`` runs the others.
"""
