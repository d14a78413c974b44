"""Static check of a student's cells: what an answer may not do to earn points.

Each code cell a student wrote or changed is parsed (after IPython turns its
magics into ordinary calls) and its syntax tree, not its text, is searched, so
splitting a word into strings ("imp" + "ort") does not hide anything: the
string still has to reach `exec`, `eval`, `compile`, `__import__`,
`importlib` or a `getattr` with a computed name, and those are findings
themselves.

Three kinds of finding, and what the grading command does with them (the
policy is also stated in book/instructor/grading.md, *Answers that do not
earn their points*):

- `reference`: imports or names a course module that holds reference answers
  (anything in `upsampling_course` except `STUDENT_ALLOWED_MODULES`);
- `patch`: replaces what the tests rely on (attributes of modules, builtins,
  `__builtins__`, numpy) or builds and runs code from strings;
- `reads-tests`: looks at the tests or the grader (`inspect`,
  `sys._getframe`, frames, `In`/`_ih`/`Out`, `get_ipython`, its
  transformers and events, `globals()`, notebook files).

A finding with `zero=True` scores the cell zero (the evidence is the code
itself and no answer in these assignments needs it); `zero=False` keeps the
score and flags the cell for the instructor to read (it has innocent uses:
shadowing `max`, `setattr` on your own object, a shell command, reading a
file).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from upsampling_grader.integrity_rules import (
    COMMON_MODULE_NAMES,
    COMPARISON_METHODS,
    COURSE_PACKAGE,
    FLAGGED_MODULES,
    FORBIDDEN_ATTRIBUTES,
    FORBIDDEN_MODULES,
    FORBIDDEN_NAMES,
    HARMLESS_MAGICS,
    HISTORY_NAME,
    NOTEBOOK_FILES,
    STUDENT_ALLOWED_MODULES,
    STUDENT_ALLOWED_PACKAGE_NAMES,
    VALUE_TYPES,
    WATCHED_BUILTIN_NAMES,
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "reference", "patch" or "reads-tests"
    line: int
    detail: str  # written for the student and the instructor
    zero: bool  # True: the cell scores zero; False: flagged for the instructor


def _reference_module(module: str) -> bool:
    if module != COURSE_PACKAGE and not module.startswith(COURSE_PACKAGE + "."):
        return False
    return not any(
        module == allowed or module.startswith(allowed + ".") for allowed in STUDENT_ALLOWED_MODULES
    )


def _root_name(node: ast.AST) -> str | None:
    """The name at the left of `a.b.c` or `a[0].b`, if any."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _literal_text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Visitor(ast.NodeVisitor):
    def __init__(self, module_names: set[str]):
        self.findings: list[Finding] = []
        self.module_names = set(module_names)
        self.scope_depth = 0

    def add(self, node: ast.AST, kind: str, detail: str, zero: bool = True) -> None:
        self.findings.append(Finding(kind, getattr(node, "lineno", 0), detail, zero))

    # --- imports -------------------------------------------------------------
    def _module(self, node: ast.AST, module: str, names: list[str]) -> None:
        top = module.split(".")[0]
        if top == COURSE_PACKAGE:
            if module == COURSE_PACKAGE and names:
                refused = [name for name in names if name not in STUDENT_ALLOWED_PACKAGE_NAMES]
                if refused:
                    self.add(
                        node,
                        "reference",
                        f"imports the course's reference {', '.join(refused)} from {module}",
                    )
            elif _reference_module(module) and not (
                names and all(f"{module}.{name}" in STUDENT_ALLOWED_MODULES for name in names)
            ):
                self.add(node, "reference", f"imports the course's reference module {module}")
        elif top in FORBIDDEN_MODULES:
            self.add(node, FORBIDDEN_MODULES[top], f"imports {module}, which only the grader needs")
        elif top in FLAGGED_MODULES:
            self.add(
                node,
                "reads-tests",
                f"imports {module} (can read files or run programs)",
                zero=False,
            )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(node, alias.name, [])
            self.module_names.add(alias.asname or alias.name.split(".")[0])
            self._store(node, alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        self._module(node, module, [alias.name for alias in node.names])
        for alias in node.names:
            self._store(node, alias.asname or alias.name)

    # --- names and attributes --------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            kind = FORBIDDEN_NAMES.get(node.id)
            if kind is None and HISTORY_NAME.match(node.id):
                kind = "reads-tests"
            if kind is not None:
                self.add(
                    node, kind, f"uses {node.id}, which reads or rewrites the notebook's tests"
                )
        else:
            self._store(node, node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        kind = FORBIDDEN_ATTRIBUTES.get(node.attr)
        if kind is not None:
            self.add(node, kind, f"uses .{node.attr}, which reads or rewrites the grader's state")
        if node.attr == "__dict__":
            self.add(node, "patch", "uses .__dict__ (can rewrite a module's functions)", zero=False)
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            root = _root_name(node)
            if root in self.module_names:
                self.add(node, "patch", f"replaces {ast.unparse(node)}, which the tests rely on")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            root = _root_name(node)
            if root in self.module_names or (
                isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in {"vars", "globals"}
            ):
                self.add(
                    node,
                    "patch",
                    f"replaces an entry of {ast.unparse(node.value)}, which the tests rely on",
                )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else None
        attribute = function.attr if isinstance(function, ast.Attribute) else None
        if name in {"setattr", "delattr"} and node.args:
            target = _root_name(node.args[0])
            if target in self.module_names:
                self.add(node, "patch", f"{name} on {target}, which the tests rely on")
            else:
                self.add(node, "patch", f"calls {name} (check what it changes)", zero=False)
        if name in {"getattr", "setattr", "delattr", "hasattr"} and len(node.args) >= 2:
            text = _literal_text(node.args[1])
            if text is None:
                self.add(
                    node, "patch", f"{name} with a computed attribute name hides what it reaches"
                )
            elif text in FORBIDDEN_ATTRIBUTES or text == "__dict__":
                self.add(
                    node,
                    FORBIDDEN_ATTRIBUTES.get(text, "patch"),
                    f"{name}(..., {text!r}) reaches the grader's state",
                )
        if name == "vars" and node.args and _root_name(node.args[0]) in self.module_names:
            self.add(
                node, "patch", f"vars({ast.unparse(node.args[0])}) reaches a module's functions"
            )
        if name == "open" or attribute in {
            "read_text",
            "read_bytes",
            "open",
            "listdir",
            "scandir",
            "walk",
            "glob",
            "system",
            "popen",
        }:
            texts = [_literal_text(argument) or "" for argument in node.args]
            if any(NOTEBOOK_FILES.search(text) for text in texts):
                # Flagged, not zeroed: the sandbox hides the course's files, so this can only
                # find the student's own notebook (and the classroom's snooper test relies on it).
                self.add(
                    node,
                    "reads-tests",
                    f"opens {texts[0]!r}, a notebook or course file",
                    zero=False,
                )
            elif attribute in {"system", "popen"}:
                self.add(node, "reads-tests", f"runs a program with {attribute}()", zero=False)
            elif name == "open" or attribute in {
                "read_text",
                "read_bytes",
                "listdir",
                "scandir",
                "walk",
            }:
                self.add(node, "reads-tests", "reads files (check which)", zero=False)
        if (
            attribute == "register"
            and isinstance(function.value, ast.Attribute)
            and function.value.attr == "events"
        ):
            self.add(
                node, "reads-tests", "registers an IPython event hook, which runs around the tests"
            )
        self.generic_visit(node)

    # --- shadowing builtins at the notebook's top level ------------------------
    def _store(self, node: ast.AST, name: str) -> None:
        if self.scope_depth == 0 and name in WATCHED_BUILTIN_NAMES:
            self.add(node, "patch", f"rebinds the builtin {name}, which the tests use", zero=False)
        if (
            self.scope_depth == 0
            and name in COMMON_MODULE_NAMES
            and not isinstance(node, (ast.Import, ast.ImportFrom))
        ):
            self.add(node, "patch", f"rebinds {name}, a module the tests use", zero=False)

    def visit_Assign(self, node: ast.Assign) -> None:
        # `keras = import_keras_quietly()` re-imports keras the course's way: not a rebinding.
        call = node.value
        function = call.func if isinstance(call, ast.Call) else None
        quiet_import = (
            getattr(function, "id", getattr(function, "attr", None)) == "import_keras_quietly"
        )
        if quiet_import and all(isinstance(target, ast.Name) for target in node.targets):
            self.visit(call)
            return
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if name in WATCHED_BUILTIN_NAMES or name in COMMON_MODULE_NAMES:
                self.add(node, "patch", f"declares global {name} (rebinds what the tests use)")

    def _scoped(self, node: ast.AST) -> None:
        self.scope_depth += 1
        self.generic_visit(node)
        self.scope_depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._store(node, node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._scoped(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._store(node, node.name)
        bases = {
            base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
            for base in node.bases
        }
        methods = {
            item.name
            for item in node.body
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        tricks = methods & COMPARISON_METHODS
        if bases & VALUE_TYPES and tricks:
            self.add(
                node,
                "patch",
                f"subclasses {', '.join(sorted(bases & VALUE_TYPES))} and redefines {', '.join(sorted(tricks))}, which fools the tests' comparisons",
            )
        self._scoped(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped(node)

    def visit_ListComp(self, node: ast.AST) -> None:
        self._scoped(node)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp


def _ipython_to_python(source: str) -> str:
    """The cell as IPython runs it: `%magic` and `!cmd` become `get_ipython()` calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _magic_calls(tree: ast.AST) -> tuple[set[ast.AST], list[Finding]]:
    """Harmless `%matplotlib`/`%time` calls (left alone) and the other magics (findings)."""
    harmless, findings = set(), []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if not (
            isinstance(owner, ast.Call)
            and isinstance(owner.func, ast.Name)
            and owner.func.id == "get_ipython"
        ):
            continue
        magic = _literal_text(node.args[0]) if node.args else None
        if node.func.attr in {"run_line_magic", "run_cell_magic"} and magic in HARMLESS_MAGICS:
            harmless.add(owner.func)
            # %time and %timeit run their argument (or the cell body) as code: check it too.
            timed = magic in {"time", "timeit"} and len(node.args) >= 2
            code = _literal_text(node.args[-1]) if timed else None
            for inner in check_cell(code) if code else []:
                findings.append(Finding(inner.kind, node.lineno, inner.detail, inner.zero))
        elif node.func.attr in {"system", "getoutput"}:
            harmless.add(owner.func)
            findings.append(
                Finding("reads-tests", node.lineno, "runs a shell command (!...)", False)
            )
    return harmless, findings


def check_cell(source: str, module_names: tuple[str, ...] = COMMON_MODULE_NAMES) -> list[Finding]:
    """Every finding in one cell's code, in line order.

    `module_names` are the names that hold modules in this notebook (its
    setup cell's imports); assigning to their attributes is patching.
    A cell that does not parse has no findings: it fails on its own.
    """
    try:
        tree = ast.parse(_ipython_to_python(source))
    except SyntaxError:
        return []
    harmless, findings = _magic_calls(tree)
    visitor = _Visitor(set(module_names))
    visitor.visit(tree)
    findings += [f for f in visitor.findings if not _is_harmless(f, tree, harmless)]
    return sorted(set(findings), key=lambda f: (f.line, f.detail))


def _is_harmless(finding: Finding, tree: ast.AST, harmless: set[ast.AST]) -> bool:
    """A `get_ipython` finding that only comes from a harmless magic or shell call."""
    if "get_ipython" not in finding.detail:
        return False
    lines = {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "get_ipython" and node not in harmless
    }
    return finding.line not in lines


def module_names_of(sources: list[str]) -> tuple[str, ...]:
    """Names bound to modules by the `import` statements of the given (locked) cells."""
    names = set(COMMON_MODULE_NAMES)
    for source in sources:
        try:
            tree = ast.parse(_ipython_to_python(source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.update(
                    alias.asname or alias.name for alias in node.names if alias.name[:1].islower()
                )
    return tuple(sorted(names))


def verdict(findings: list[Finding]) -> tuple[str, str] | None:
    """("zero" or "flag", reason text for the CSV) for a cell's findings; None when clean."""
    if not findings:
        return None
    worst = [f for f in findings if f.zero] or findings
    status = "zero" if any(f.zero for f in findings) else "flag"
    reason = "; ".join(f"line {f.line}: {f.detail}" for f in worst[:3])
    if len(worst) > 3:
        reason += f"; and {len(worst) - 3} more"
    return status, f"{worst[0].kind}: {reason}"
