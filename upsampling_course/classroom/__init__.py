"""Grade a whole class with nbgrader, one student at a time, without losing anyone.

Used by the instructor guide (``book/instructor/grading.md``)::

    python -m upsampling_course.classroom grade predict_shapes

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

* ``notebooks``: reading notebooks; nbgrader cell anatomy; hidden-test lines;
* ``assignment``: the course config, grading settings, the released assignment;
* ``submissions``: finding and reading each student's files, once;
* ``repair``: checks and repairs of a submitted notebook;
* ``scratch``: the scratch course and the one function that runs nbgrader on it;
* ``autograde_log``: reading nbgrader's log: the running student and cell, outcomes;
* ``sandbox`` and ``sandbox_kernel``: the bwrap sandbox around each student's
  kernel, and the kernel manager nbgrader starts it with;
* ``student``: grading one student (intake, run, report);
* ``batch``: several students in one nbgrader run, and who is graded again alone;
* ``redact``: keeping hidden tests out of feedback;
* ``results``: per-cell and per-student results, ordered statuses, the CSV;
* ``course``: the whole class (gradebook import, feedback, summary);
* ``shards``: grading a class in shards (``--shard K/N --out``) and ``merge``;
* ``cli`` and ``__main__``: the command line.

Every name below is re-exported so that ``from upsampling_course import
classroom; classroom.X`` keeps working.
"""

from upsampling_course.classroom.assignment import (
    CONFIG_FILE,
    DEFAULT_MEMORY_LIMIT_MB,
    DEFAULT_STUDENT_TIMEOUT,
    Assignment,
    ClassroomError,
    NotebookSpec,
    Settings,
    course_setting,
    course_settings,
    load_assignment,
    load_course_config,
)
from upsampling_course.classroom.autograde_log import Outcome
from upsampling_course.classroom.batch import BATCH_SIZE, Queue, batch_size_now, grade_all
from upsampling_course.classroom.cli import main
from upsampling_course.classroom.course import (
    generate_feedback,
    grade_class,
    grade_submissions,
    import_into_course,
    make_template_gradebook,
    read_submissions,
    summary,
)
from upsampling_course.classroom.notebooks import (
    HIDDEN_REGION,
    MARKER_LINE,
    SOLUTION_REGION,
    TELLING_LINE_LENGTH,
    hidden_test_lines,
    nbgrader_meta,
    read_notebook_text,
    source_key,
)
from upsampling_course.classroom.redact import (
    ANSI_CODE,
    HIDDEN_TEXT_REPLACEMENT,
    redact,
    redact_outputs,
)
from upsampling_course.classroom.repair import (
    SUSPICIOUS_WORDS,
    Checked,
    check_notebook,
    neutralise_answer,
)
from upsampling_course.classroom.results import (
    CSV_FIELDS,
    TOTAL,
    CellResult,
    CellStatus,
    Status,
    StudentResult,
    write_csv,
)
from upsampling_course.classroom.scratch import (
    LIMITED_LAUNCHER,
    LOG_RECORD,
    RUN_MARKER,
    Attempt,
    LogWatcher,
    ScratchGrading,
    autograde_command,
    kill_marked_processes,
    run_autograde,
)
from upsampling_course.classroom.shards import (
    grade_shard,
    merge_shards,
    parse_shard,
    shard_of,
)
from upsampling_course.classroom.student import (
    GradedStudent,
    Intake,
    Run,
    cell_result,
    describe_errors,
    grade_student,
    intake,
    read_scratch_scores,
    report,
)
from upsampling_course.classroom.submissions import (
    Submission,
    describe_delay,
    find_submission,
    submission_folders,
)

__all__ = [
    "BATCH_SIZE",
    "Outcome",
    "grade_all",
    "Queue",
    "batch_size_now",
    "grade_shard",
    "merge_shards",
    "parse_shard",
    "shard_of",
    "main",
    "ANSI_CODE",
    "Assignment",
    "Attempt",
    "CONFIG_FILE",
    "CSV_FIELDS",
    "CellResult",
    "CellStatus",
    "Checked",
    "ClassroomError",
    "DEFAULT_MEMORY_LIMIT_MB",
    "DEFAULT_STUDENT_TIMEOUT",
    "GradedStudent",
    "HIDDEN_REGION",
    "HIDDEN_TEXT_REPLACEMENT",
    "Intake",
    "LIMITED_LAUNCHER",
    "LOG_RECORD",
    "LogWatcher",
    "MARKER_LINE",
    "NotebookSpec",
    "RUN_MARKER",
    "Run",
    "SOLUTION_REGION",
    "SUSPICIOUS_WORDS",
    "ScratchGrading",
    "Settings",
    "Status",
    "StudentResult",
    "Submission",
    "TELLING_LINE_LENGTH",
    "TOTAL",
    "autograde_command",
    "cell_result",
    "check_notebook",
    "course_setting",
    "course_settings",
    "describe_delay",
    "describe_errors",
    "find_submission",
    "generate_feedback",
    "grade_class",
    "grade_student",
    "grade_submissions",
    "hidden_test_lines",
    "import_into_course",
    "intake",
    "kill_marked_processes",
    "load_assignment",
    "load_course_config",
    "make_template_gradebook",
    "nbgrader_meta",
    "neutralise_answer",
    "read_notebook_text",
    "read_scratch_scores",
    "read_submissions",
    "redact",
    "redact_outputs",
    "report",
    "run_autograde",
    "source_key",
    "submission_folders",
    "summary",
    "write_csv",
]
