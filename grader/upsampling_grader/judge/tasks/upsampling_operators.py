"""The judge of upsampling_operators: its tasks, in two modules of their own.

Questions 1 to 3 (the matrix of a transposed layer, its backward pass, the
gradient with respect to a convolution's kernel) are judged in
``upsampling_operators_gradients``; questions 4 to 6 (sub-pixel weights, a
transposed layer that starts as nearest-neighbour upsampling, a kernel whose
convolution undoes its transposed layer) in ``upsampling_operators_designs``.
Every expected value comes from Keras or ``tf.GradientTape``
(``upsampling_operators_keras``), outside the student's kernel.
"""

from __future__ import annotations

from upsampling_grader.judge.registry import Tasks
from upsampling_grader.judge.tasks import upsampling_operators_designs as designs
from upsampling_grader.judge.tasks import upsampling_operators_gradients as gradients

NOTEBOOK = "upsampling_operators"
# The notebook needs only its variant and checks: never upsampling_course.operators,
# whose functions answer it.
KERNEL_MODULES = ("assignments/__init__", "assignments/upsampling_operators")
TASKS = Tasks()
for part in (gradients.TASKS, designs.TASKS):
    TASKS.by_grade_id.update(part.by_grade_id)
    TASKS.about.update(part.about)
