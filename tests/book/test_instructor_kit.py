"""The instructor kit: the hub page's commands and settings, and the answer keys page.

book/instructor/hub.md has two kinds of boxes. `:class: tested-hub` boxes run
here, in page order, in a scratch course whose assignment was released to a
scratch exchange (the page's `/srv/nbgrader/exchange` replaced by it) and with
a scratch Jupyter configuration folder. `:class: validated-not-run` boxes need
a hub's administrator; their names are checked instead: the package's extras
and bounds, the extension modules and plugin ids, and every `c.Class.trait`
setting as a real nbgrader trait with the default the page says it has.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.support.grading import REPO_ROOT, ScratchCourse
from tools.book_toc import chapter_pages, toc_files
from upsampling_grader.scratch import tools_first

pytestmark = pytest.mark.xdist_group("instructor-kit")

PAGES = REPO_ROOT / "book" / "instructor"
HUB = (PAGES / "hub.md").read_text()
FLAT = " ".join(HUB.split())
BOX = re.compile(r"^```\{code-block\} (\w+)\n((?::[^\n]*\n)*)\n?(.*?)^```", re.S | re.M)
PAGE_EXCHANGE = "/srv/nbgrader/exchange"
COURSE_ID = "upsampling-gan-keras"
ASSIGNMENT = "predict_shapes"
PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


def boxes(kind: str) -> list[tuple[str, str]]:
    """(language, body) of the hub page's boxes of one class, in page order."""
    return [
        (language, body)
        for language, options, body in BOX.findall(HUB)
        if f":class: {kind}" in options
    ]


def test_every_box_is_tested_or_marked_validated_not_run():
    for _, options, body in BOX.findall(HUB):
        assert re.search(r":class: (tested-hub|validated-not-run)", options), body
    assert boxes("tested-hub") and boxes("validated-not-run")


def test_the_kit_pages_are_in_the_table_of_contents():
    pages = toc_files(parts=("For instructors",))
    assert {
        "book/instructor/hub",
        "book/instructor/answer_keys",
        "book/instructor/planning",
    } <= set(pages)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A released assignment in a scratch exchange; then every tested box, in order."""
    root = tmp_path_factory.mktemp("hub")
    course = ScratchCourse(root / "course", [ASSIGNMENT])
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # what the page's administrator box does to the real root
    config = root / "jupyter"
    config.mkdir()
    # A lower configuration level standing in for the page's system level
    # (/usr/local/etc/jupyter): the plugins the administrator's box disables.
    system = root / "system" / "labconfig"
    system.mkdir(parents=True)
    (system / "page_config.json").write_text(
        json.dumps({"disabledExtensions": dict.fromkeys(PLUGINS, True)})
    )
    (config / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n"
    )
    env = tools_first(
        {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            # `labextension enable` writes only what some level disables: let it see that one.
            "JUPYTER_CONFIG_PATH": str(system.parent),
        }
    )

    def run(commands: str, cwd: Path) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + commands.replace(PAGE_EXCHANGE, str(exchange))],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (
            f"`{commands.strip()}`:\n{result.stdout}\n{result.stderr[-3000:]}"
        )
        return result

    run(
        f"nbgrader generate_assignment {ASSIGNMENT} --force\n"
        f"nbgrader release_assignment {ASSIGNMENT}",
        course.root,
    )
    student = root / "student"
    student.mkdir()
    run(
        f"nbgrader fetch_assignment {ASSIGNMENT} --course {COURSE_ID}\n"
        f"nbgrader submit {ASSIGNMENT} --course {COURSE_ID}",
        student,
    )
    outputs = [run(body, course.root).stdout for _, body in boxes("tested-hub")]
    return {"outputs": outputs, "exchange": exchange, "config": config, "system": system.parent}


def test_the_roster_commands_add_both_students(hub):
    (listing,) = [out for out in hub["outputs"] if "students in the database" in out]
    assert "ada (Lovelace, Ada)" in listing and "alan (Turing, Alan)" in listing


def test_the_instructor_gets_the_plugins_back_over_the_lower_level(hub):
    from jupyter_server.services.config.manager import ConfigManager

    page_config = json.loads((hub["config"] / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"] == dict.fromkeys(PLUGINS, False)
    # JupyterLab merges the levels in jupyter_config_path() order, the first on top.
    levels = [str(hub["config"] / "labconfig"), str(hub["system"] / "labconfig")]
    merged = ConfigManager(read_config_path=levels).get("page_config")
    assert merged["disabledExtensions"] == dict.fromkeys(PLUGINS, False)


def test_the_system_level_is_below_the_users_in_a_virtual_environment_too():
    from jupyter_core import paths

    user, system = paths.jupyter_config_dir(), paths.SYSTEM_CONFIG_PATH
    for prefer_env in ("0", "1"):
        os.environ["JUPYTER_PREFER_ENV_PATH"] = prefer_env
        try:
            order = paths.jupyter_config_path()
        finally:
            os.environ.pop("JUPYTER_PREFER_ENV_PATH")
        assert all(order.index(user) < order.index(path) for path in system if path in order)
        environment = os.path.join(sys.prefix, "etc", "jupyter")
        if prefer_env == "1":  # why the page does not disable at the --sys-prefix level
            assert order.index(environment) < order.index(user)


def test_the_inbound_mode_the_page_checks_is_what_nbgrader_makes(hub):
    assert hub["outputs"][-1].strip() == "2733"
    assert "mode `2733`" in HUB


def test_a_submission_folder_ends_in_the_random_string_the_page_relies_on(hub):
    (folder,) = (hub["exchange"] / COURSE_ID / "inbound").iterdir()
    student, assignment, _timestamp, random = folder.name.split("+")
    assert (student, assignment) == (getpass.getuser(), ASSIGNMENT)
    assert len(random) == 12  # 9 random bytes, base64
    assert "`<student>+<assignment>+<timestamp>+<random string>`" in HUB


def test_the_install_names_the_package_extra_and_the_course_bounds():
    (_, install), *_ = boxes("validated-not-run")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert (
        '"upsampling-course[lab] @ git+https://' in install
        and "lab" in project["optional-dependencies"]
    )
    grader = tomllib.loads((REPO_ROOT / "grader" / "pyproject.toml").read_text())["project"]
    declared = grader["dependencies"] + project["optional-dependencies"]["book"]
    for requirement in re.findall(r'"((?:nbgrader|jupytext)[^"]*)"', install):
        assert requirement in declared, requirement


def test_the_extension_names_exist_in_nbgrader():
    import importlib

    import nbgrader

    commands = HUB
    modules = set(re.findall(r"jupyter server extension (?:en|dis)able --\S+ (\S+)", commands))
    plugins = set(re.findall(r"jupyter labextension (?:en|dis)able --level=\S+ (\S+)", commands))
    assert modules == {"nbgrader.server_extensions.formgrader"}
    assert plugins == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"}
    for module in modules:
        assert hasattr(importlib.import_module(module), "_load_jupyter_server_extension")
    bundle = Path(nbgrader.__file__).parent / "labextension" / "static"
    shipped = set(
        re.findall(
            r"@jupyter/nbgrader:[a-z-]+",
            "".join(path.read_text(errors="replace") for path in bundle.glob("*.js")),
        )
    )
    assert plugins <= shipped and len(shipped - {"@jupyter/nbgrader:menu"}) == 5
    assert "five JupyterLab plugins" in FLAT


def test_every_setting_is_an_nbgrader_trait_with_the_default_the_page_states():
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import Exchange, ExchangeSubmit

    classes = {
        "Exchange": Exchange,
        "ExchangeSubmit": ExchangeSubmit,
        "CourseDirectory": CourseDirectory,
    }
    (config,) = [body for language, body in boxes("validated-not-run") if language == "python"]
    settings = re.findall(r"^c\.(\w+)\.(\w+) = (.+?)(  # the default.*)?$", config, re.M)
    assert len(settings) == 3
    for cls, trait, value, default_comment in settings:
        traits = classes[cls].class_traits(config=True)
        assert trait in traits, f"{cls}.{trait}"
        if default_comment:
            assert traits[trait].default_value == eval(value), f"{cls}.{trait}"


def test_nbgrader_has_no_personalized_inbound_setting_as_the_page_says():
    from nbgrader.exchange import default

    names = {
        trait
        for cls in vars(default).values()
        if isinstance(cls, type) and hasattr(cls, "class_traits")
        for trait in cls.class_traits()
    }
    assert "personalized_inbound" not in names and "add_random_string" in names
    assert "no `personalized_inbound` setting" in FLAT


def test_the_nbgitpuller_links_open_files_the_repository_holds():
    links = re.findall(r"^https://hub\.example\.edu/\S+$", HUB, re.M)
    assert len(links) == 2
    chapters = chapter_pages()
    for link in links:
        url = urlparse(link)
        assert url.path == "/hub/user-redirect/git-pull"
        query = parse_qs(url.query, strict_parsing=True)
        assert query["repo"] == ["https://github.com/upsampling-course/upsampling-gan-keras"]
        assert query["branch"] == ["notebooks"]  # the branch with .ipynb copies of chapters
        folder, path = query["urlpath"][0].removeprefix("lab/tree/").split("/", 1)
        assert folder == "upsampling-gan-keras"
        # The notebooks branch holds main plus an .ipynb copy of each executed chapter.
        assert (REPO_ROOT / path).is_file() or path.removesuffix(".ipynb") in chapters, path


def test_the_answer_keys_link_every_chapter_and_the_lab():
    keys = (PAGES / "answer_keys.md").read_text()
    for page in toc_files(parts=("Chapters", "Lab")):
        assert "{doc}`../" + page.removeprefix("book/") + "`" in keys, page
    guide = (PAGES / "guide.md").read_text()
    questions = re.findall(
        r"^(\d)\. ", guide.split("## Discussion questions")[1].split("\n## ")[0], re.M
    )
    assert [f"**{n}. " in keys for n in questions] == [True] * len(questions) == [True] * 5


def test_the_planning_page_has_a_row_and_a_measured_grading_time_per_assignment():
    from tools.assignment_facts import all_assignments

    planning = (PAGES / "planning.md").read_text()
    record = json.loads((REPO_ROOT / "benchmarks" / "results" / "grading_times.json").read_text())
    assert {"command", "date", "machine", "versions", "assignments"} <= set(record)
    assert record["script"] == "benchmarks/grading_times.py" and record["machine"]["cpus"]
    for name in all_assignments():
        assert f"| `{name}`" in planning, name
        assert f"{{glue:text}}`{name}_grading_s:.0f`" in planning, name
        run = record["assignments"][name]
        # The solution scored full marks, so the time is that of a real grading run.
        assert run["exit_status"] == 0 and run["seconds"] > 0, name
        assert len(run["load_before"]) == 3 and len(run["load_after"]) == 3
        (total,) = [
            row for row in csv.DictReader(io.StringIO(run["csv"])) if row["cell"] == "(total)"
        ]
        assert total["score"] == total["max_score"] and total["status"] == "ok", name
