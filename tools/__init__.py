"""What runs only in a checkout of the course; never installed, in no wheel.

- ``book_toc``: the table of contents (_toc.yml) walked in one place, and
  which pages are chapters (the pages with Colab copies);
- ``page_source`` and ``page_conventions``: a small MyST reader and the
  conventions every chapter follows (tests/book/test_reading.py);
- ``assignment_facts``: points and expected minutes of each assignment, read
  from solutions/ (the Exercises and planning pages, the tests);
- ``launch_notebooks``: the Colab copies of the chapters and the released
  exercises (.github/workflows/deploy.yml:
  ``python -m tools.launch_notebooks chapters``).

Book pages that need these facts (book/exercises.md,
book/instructor/planning.md) import them during the build, which runs in the
checkout; such pages get no Colab copy.
"""
