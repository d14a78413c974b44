"""What the tests share, importable as ``tests.support`` (benchmarks/ import it too).

- ``grading``: a scratch nbgrader course (release, submit, autograde, scores)
  and the solutions' anatomy;
- ``predict_shapes_class``: a simulated class of 23 students;
- ``sandbox``: bubblewrap, installed where the tests may;
- ``browser`` and ``accessibility``: headless Chromium and axe-core;
- ``fakes``: stand-ins for the processes and environments the tests drive.
"""
