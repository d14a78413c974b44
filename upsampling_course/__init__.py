"""Helpers shared by the chapters, exercises and tests of the course
*Upsampling for GAN generators in Keras*.

Chapters import from here instead of pasting helpers into notebooks, so a fix
made once reaches every page. Each function's docstring names the chapters
that use it.
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
