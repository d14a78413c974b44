"""Grade a whole class with nbgrader, one student at a time, without losing anyone.

The grader of the course *Upsampling for GAN generators in Keras*, a
distribution of its own (``upsampling-course-grader``, in the repository's
``grader/`` folder). It depends on the student package
(``upsampling-course[lab]``), which knows nothing of it; a student's kernel
cannot import it. Used by the instructor guide (``book/instructor/grading.md``)::

    upsampling-grader grade predict_shapes

(``python -m upsampling_grader grade predict_shapes`` is the same command),
run in the course folder (the one with ``nbgrader_config.py``) after the
assignment was released with ``nbgrader generate_assignment``. It wraps
nbgrader rather than replacing it: every student is autograded by the real
``nbgrader autograde`` command, grades go into the course's gradebook, and
feedback is made by nbgrader's ``generate_feedback``. What it adds is what a
class of real students needs:

* each notebook is checked before grading (valid JSON, nbgrader metadata,
  duplicate cell ids, deleted or edited cells, a renamed notebook, an extra
  notebook, a late submission) and repaired where that is safe;
* each student is graded apart from the course, in a scratch copy of it that
  holds no ``solutions/`` folder and no gradebook, with a bound on the
  student's total grading time; several students share one nbgrader run
  (``batch``), each notebook in a kernel of its own; the kernel, and only it, runs in a
  bubblewrap sandbox (``sandbox``): its own processes, user and no network,
  a file system with only the Python environment and the package folder
  read-only and a private ``/tmp``, and limits on memory, processes, disk and
  output. The grader alone writes the gradebooks, after the sandbox ended.
  Where no sandbox can be made the command refuses to grade unless given
  ``--no-sandbox``. The sandbox does not hide the tests the kernel runs or
  what the package computes (see the guide's sandbox section);
* a cell that crashes the kernel or ignores the interrupt after its timeout
  is removed (scored as blank) and the student is graded again, so the rest
  of the notebook still earns its points;
* the scores go into one CSV with a status and a reason per student and per
  cell, and the feedback never shows hidden tests (nbgrader issue #917).

The command exits with status 1 and a summary when a student needs the
instructor's attention.

The package, one job per module (the order grading runs in):

* ``limits`` and ``grading_run``: every limit, defined once, and
  :class:`GradingRun`, the one object that says how a run grades;
* ``notebooks``: reading notebooks; nbgrader cell anatomy; hidden-test lines;
* ``assignment``: the course config and the released assignment;
* ``submissions``: finding and reading each student's files, once;
* ``repair``: checks and repairs of a submitted notebook;
* ``integrity``, ``integrity_rules`` and ``screening``: the static check of
  answer cells, its rule tables, and what it does to a student's rows;
* ``scratch``: the scratch course and the one function that runs nbgrader on it;
* ``autograde_log``: reading nbgrader's log: the running student and cell, outcomes;
* ``sandbox`` and ``sandbox_kernel``: the bwrap sandbox around each student's
  kernel, and the kernel manager nbgrader starts it with
  (``not_in_a_kernel``: what the kernel finds instead of the grader);
* ``student``: grading one student (intake, run, report);
* ``batch``: several students in one nbgrader run, and who is graded again alone;
* ``redact``: keeping hidden tests out of feedback;
* ``feedback`` and ``feedback_html``: the feedback page nbgrader makes with the
  course's settings (tests by name, every failed check, MathJax inline) and
  what makes it safe to open (nh3, a Content-Security-Policy);
* ``overwrite_cells``: nbgrader's OverwriteCells without the false "checksum
  has changed!" warnings of nbgrader issue #1961;
* ``results``: per-cell and per-student results, ordered statuses, the CSV;
* ``course``: the whole class (gradebook import, feedback, summary);
* ``shards``: grading a class in shards (``--shard K/N --out``) and ``merge``;
* ``cli`` and ``__main__``: the command line.

Below are the names a program that grades needs; everything else is imported
from its module.
"""

from upsampling_grader.assignment import GradingError
from upsampling_grader.cli import main
from upsampling_grader.course import grade_class
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.limits import Limits
from upsampling_grader.results import CellStatus, Status, StudentResult
from upsampling_grader.shards import Slice, grade_shard, merge_shards

__all__ = [
    "CellStatus",
    "GradingError",
    "GradingRun",
    "Limits",
    "Slice",
    "Status",
    "StudentResult",
    "grade_class",
    "grade_shard",
    "main",
    "merge_shards",
]

__version__ = "0.1.0"
