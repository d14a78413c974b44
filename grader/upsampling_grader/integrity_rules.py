"""The integrity check's rule tables: which modules, names and attributes an answer may not touch.

Read by upsampling_grader.integrity, whose docstring gives the three
kinds of finding and the policy (book/instructor/grading.md, *Answers that do
not earn their points*). Kept apart so the rules can be read, and changed, in
one place.
"""

from __future__ import annotations

import re

COURSE_PACKAGE = "upsampling_course"

#: Course modules an answer cell may import without a note: data loading, plotting,
#: the quiet Keras import and the lab's quality scorer. Everything else in
#: `upsampling_course` may hold a reference answer to some assignment (where the
#: judge scores, the kernel cannot import those at all: judge/package_view.py).
STUDENT_ALLOWED_MODULES = (
    "upsampling_course.keras_setup",
    "upsampling_course.data",
    "upsampling_course.plotting",
    "upsampling_course.lab_plots",
    "upsampling_course.quality",
)
#: Names an answer may import from the package itself (`from upsampling_course import X`).
STUDENT_ALLOWED_PACKAGE_NAMES = ("import_keras_quietly", "silenced_stderr_fd")
#: Builtins whose top-level rebinding is noted for the instructor (the judge grades such
#: code normally; the note only says the name was shadowed).
WATCHED_BUILTIN_NAMES = (
    "abs",
    "all",
    "any",
    "bool",
    "float",
    "int",
    "isinstance",
    "len",
    "list",
    "max",
    "min",
    "range",
    "round",
    "str",
    "sum",
    "tuple",
    "type",
    "zip",
    "AssertionError",
    "__import__",
)

#: Modules whose only use in an answer is to inspect or rewrite the grader.
FORBIDDEN_MODULES = {
    "builtins": "patch",
    "importlib": "patch",
    "ctypes": "patch",
    "marshal": "patch",
    "runpy": "patch",
    "code": "patch",
    "codeop": "patch",
    "inspect": "reads-tests",
    "IPython": "reads-tests",
    "ipykernel": "reads-tests",
    "nbformat": "reads-tests",
    "nbclient": "reads-tests",
    "nbgrader": "reads-tests",
    "jupyter_client": "reads-tests",
    "__main__": "reads-tests",
    # The grader itself: a student's kernel cannot import it (the sandbox covers it).
    "upsampling_grader": "reads-tests",
}
#: Modules with innocent uses that can also read files or run programs: flagged.
FLAGGED_MODULES = ("subprocess", "pickle", "shelve", "glob", "shutil", "types", "ast", "dis")

#: Names whose use (loading them) means the code reads the tests or rewrites the grader.
FORBIDDEN_NAMES = {
    "exec": "patch",
    "eval": "patch",
    "compile": "patch",
    "__import__": "patch",
    "__builtins__": "patch",
    "breakpoint": "reads-tests",
    "get_ipython": "reads-tests",
    "globals": "reads-tests",
    "locals": "reads-tests",
    "In": "reads-tests",
    "Out": "reads-tests",
    "_ih": "reads-tests",
    "_oh": "reads-tests",
    "_dh": "reads-tests",
    "_i": "reads-tests",
    "_ii": "reads-tests",
    "_iii": "reads-tests",
    "__": "reads-tests",
    "___": "reads-tests",
}
HISTORY_NAME = re.compile(r"^_i?\d+$")  # _5, _i5: IPython's output/input history

#: Attribute names that only the grader's machinery has.
FORBIDDEN_ATTRIBUTES = {
    "_getframe": "reads-tests",
    "_current_frames": "reads-tests",
    "f_back": "reads-tests",
    "f_globals": "reads-tests",
    "f_locals": "reads-tests",
    "f_code": "reads-tests",
    "tb_frame": "reads-tests",
    "gi_frame": "reads-tests",
    "cr_frame": "reads-tests",
    "ast_transformers": "reads-tests",
    "input_transformers_post": "reads-tests",
    "input_transformers_cleanup": "reads-tests",
    "input_transformer_manager": "reads-tests",
    "user_ns": "reads-tests",
    "user_global_ns": "reads-tests",
    "get_objects": "reads-tests",
    "get_referrers": "reads-tests",
    "get_referents": "reads-tests",
    "settrace": "reads-tests",
    "setprofile": "reads-tests",
    "modules": "reads-tests",  # sys.modules: any loaded module, the references included
    "meta_path": "patch",
    "excepthook": "patch",
    "displayhook": "patch",
    "__code__": "patch",
    "__globals__": "reads-tests",
    "__closure__": "reads-tests",
    "__builtins__": "patch",
    "__subclasses__": "patch",
    "__setattr__": "patch",
    "__delattr__": "patch",
    "__import__": "patch",
}
#: A class deriving from these that redefines comparison or truth fools `==` and `assert`.
VALUE_TYPES = {"str", "int", "float", "tuple", "list", "ndarray", "bool", "complex"}
COMPARISON_METHODS = {
    "__eq__",
    "__ne__",
    "__bool__",
    "__len__",
    "__hash__",
    "__abs__",
    "__lt__",
    "__gt__",
    "__le__",
    "__ge__",
    "__array_ufunc__",
    "__array_function__",
    "__float__",
    "__int__",
    "__index__",
}
#: Magics that do not read or change anything: `%matplotlib inline`, `%time`, `%timeit`.
HARMLESS_MAGICS = {"matplotlib", "time", "timeit"}
#: Names that are modules in every assignment's setup cell or by convention.
COMMON_MODULE_NAMES = (
    "np",
    "numpy",
    "tf",
    "tensorflow",
    "keras",
    "layers",
    "math",
    "random",
    "os",
    "sys",
    "builtins",
    COURSE_PACKAGE,
)
NOTEBOOK_FILES = re.compile(r"\.ipynb|gradebook|autograded|submitted|solutions|source", re.I)
