"""What the chapters and exercises of the course *Upsampling for GAN generators in Keras* run.

The student package (distribution ``upsampling-course``): what runs in a
chapter or a student's kernel, and nothing else; it runs from a wheel alone
(the student install with its ``lab`` extra, which the README gives and the
Colab set-up cell runs). The
grader is a distribution of its own (``grader/``), and what runs only in a
checkout lives in ``tools/``. Chapters import from here instead of pasting
helpers into notebooks, so a fix made once reaches every page; each
function's docstring names the chapters that use it. Its parts (chapters and
released notebooks import modules by these paths, so the parts are not
folders; tests/repo/test_layout.py keeps them apart):

- teaching the layers: ``shapes``, ``numpy_layers``, ``pytorch_translation``,
  ``summaries``, ``artifacts``, ``artifact_sources``, ``artifact_plots``
  (its figures), ``spectrum``, ``operators``, ``explorer``, ``animations``
  (the animations and the layers' matrix figures), ``page_figures`` (small
  numbers and tables for the chapters' short cells);
- the MNIST lab: ``data`` (offline MNIST), ``quality`` (the judge),
  ``judge_check``, ``gan`` (networks, recipes, steps, trainer, snapshots,
  experiments), ``lab_plots`` (its figures), ``lab_results`` (the summaries
  the pages quote) and ``results`` (the committed results, and the record
  type that owns their schema);
- the exercises' side of the judge, imported in a student's kernel:
  ``answers`` (hands answers to the judge outside the kernel), ``variants``
  (each student's numbers), ``selfcheck`` (the visible checks),
  ``assignments`` (each assignment's variants and checks) and ``lab_probe``
  (runs the lab's training step once for the judge);
- shared: ``keras_setup`` (the one way to import Keras), ``checks``
  (argument validators), ``plotting`` (the colour-blind-safe palette every
  figure uses), ``cache`` (where the trained classifier is kept; the shipped
  one is in ``shipped/``), ``pages`` (``glue``, the numbers in a chapter's
  text: myst-nb's in the book build, nothing in a student's download).
"""

from upsampling_course.artifacts import checkerboard_score, overlap_count_map
from upsampling_course.keras_setup import import_keras_quietly, silenced_stderr_fd
from upsampling_course.shapes import (
    conv_output_length,
    conv_transpose_output_length,
    pool_output_length,
    upsampling_output_length,
)

__all__ = [
    "checkerboard_score",
    "conv_output_length",
    "conv_transpose_output_length",
    "import_keras_quietly",
    "overlap_count_map",
    "pool_output_length",
    "silenced_stderr_fd",
    "upsampling_output_length",
]

__version__ = "0.1.0"
