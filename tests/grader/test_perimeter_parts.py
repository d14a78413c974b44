"""The perimeter's parts without a kernel: intake, the CSV, the log reader, the command line,
the merge's checks. tests/grader/test_perimeter.py grades the attacks for real."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from upsampling_grader import cli
from upsampling_grader.assignment import GradingError
from upsampling_grader.autograde_log import bounded_lines
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.limits import NBGRADER_FILE_BYTES
from upsampling_grader.results import (
    CellResult,
    CellStatus,
    StudentResult,
    neutralised,
    result_to_json,
    update_csv,
    write_csv,
)
from upsampling_grader.sandbox import kernel_env
from upsampling_grader.shards import Shard, check_coverage, digest, shard_of
from upsampling_grader.submissions import find_submission, name_problem, submission_folders

ASSIGNMENT = SimpleNamespace(name="a1", notebooks={"a1": SimpleNamespace(points={"t": 1})})


def result(student: str, score: float = 1.0, reason: str = "") -> StudentResult:
    made = StudentResult(student, reasons=[reason] if reason else [])
    made.cells.append(CellResult("a1", "t", score, 1.0, CellStatus.of_score(score, 1.0)))
    return made


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_a_formula_is_quoted(start):
    assert neutralised(f"{start}1+1") == f"'{start}1+1"
    assert neutralised("ada") == "ada" and neutralised("1.5") == "1.5"


def test_the_csv_holds_no_formula(tmp_path):
    path = write_csv(
        [result("=HYPERLINK(1)", reason="@SUM(1)"), result("+ada")], tmp_path / "g.csv"
    )
    text = path.read_text()
    assert "'=HYPERLINK(1)" in text and "'@SUM(1)" in text and "'+ada" in text
    assert "\n=" not in text and ",=" not in text and ",@" not in text


def test_regrading_one_student_replaces_its_rows_and_keeps_everyone_elses(tmp_path):
    path = write_csv(
        [result("ada", reason="late"), result("bo", 0.0, "wrong"), result("cy")], tmp_path / "g.csv"
    )
    before = path.read_text().splitlines()
    update = update_csv([result("bo", 1.0)], path)
    after = path.read_text().splitlines()
    assert (update.replaced, update.kept) == (["bo"], 2)
    assert "replaced the rows of 1 student" in str(update)
    kept = [line for line in before if not line.startswith("bo,")]
    assert [line for line in after if not line.startswith("bo,")] == kept
    assert [line for line in after if line.startswith("bo,")] == [
        "bo,,(total),1,1,ok,",
        "bo,a1,t,1,1,passed,",
    ]
    assert after.index("bo,,(total),1,1,ok,") == before.index("bo,,(total),0,1,ok,wrong")


def test_intake_reads_only_a_plain_notebook_and_names_everything_else(tmp_path):
    folder = tmp_path / "sub" / "ada" / "a1"
    folder.mkdir(parents=True)
    (folder / "a1.ipynb").write_text('{"cells": []}')
    (folder / "shadow").symlink_to("/etc/shadow")
    (folder / "numpy.py").write_text("raise SystemExit")
    os.link(folder / "numpy.py", folder / "copy.ipynb")
    os.mkfifo(folder / "pipe.ipynb")
    (folder / "timestamp.txt").write_text("x" * (NBGRADER_FILE_BYTES + 1))
    (folder / "submission_secret.txt").write_text("s3cret")
    (folder / "bad\nname").write_text("")
    found = find_submission("ada", folder, ASSIGNMENT)
    assert found.texts == {"a1": '{"cells": []}'} and not found.refused
    assert found.files == {"submission_secret.txt": b"s3cret"} and found.timestamp is None
    said = " | ".join(found.suspicious)
    for words in ("link 'shadow' was not followed", "'numpy.py' was not used",
                  "'copy.ipynb' is a hard link", "'pipe.ipynb' is not a regular file",
                  "'timestamp.txt' is larger", "'bad\\nname' holds a control character"):  # fmt: skip
        assert words in said, (words, said)


def test_a_linked_notebook_or_folder_and_an_unsafe_id_are_refused(tmp_path):
    root = tmp_path / "sub"
    (root / "ada" / "a1").mkdir(parents=True)
    (root / "ada" / "a1" / "a1.ipynb").write_text("{}")
    (root / "bo" / "a1").mkdir(parents=True)
    (root / "bo" / "a1" / "a1.ipynb").symlink_to(root / "ada" / "a1" / "a1.ipynb")
    (root / "cy").mkdir()
    (root / "cy" / "a1").symlink_to(root / "ada" / "a1")
    (root / "dee").symlink_to(root / "ada")
    (root / "e\nf" / "a1").mkdir(parents=True)
    folders = submission_folders(root, "a1")
    assert set(folders) == {"ada", "bo", "cy", "dee", "e\nf"}
    read = {s: find_submission(s, f, ASSIGNMENT) for s, f in folders.items()}
    assert read["ada"].texts and not read["ada"].refused
    assert "'a1.ipynb' was not followed" in read["bo"].refused[0] and read["bo"].missing == ["a1"]
    assert "is a link" in read["cy"].refused[0] and "is a link" in read["dee"].refused[0]
    assert read["e\nf"].student == "e\\nf" and not read["e\nf"].importable
    assert name_problem("../x") and name_problem("..") and not name_problem("d[a]ra*?")


def test_a_long_log_line_costs_only_its_first_characters():
    lines = list(bounded_lines(io.StringIO("a" * 100_000 + "\nnext\n"), limit=100))
    assert lines == ["a" * 100 + "\n", "next\n"]


def test_the_kernel_keeps_only_the_variables_it_is_allowed():
    env = kernel_env(
        {"TF_FORCE_GPU_ALLOW_GROWTH": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "AWS_KEY": "k"}
    )
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert "TF_FORCE_GPU_ALLOW_GROWTH" not in env and "AWS_KEY" not in env


@pytest.mark.parametrize(
    "option",
    [
        "--jobs=0",
        "--jobs=-1",
        "--batch-size=x",
        "--student-timeout=0",
        "--student-timeout=nan",
        "--cell-timeout=inf",
        "--memory-limit-mb=0",
        "--data-file=helper.py",
    ],  # fmt: skip
)
def test_impossible_values_are_refused_in_one_line(option, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["grade", "a1", option, "--course", str(tmp_path)])
    said = capsys.readouterr().err
    assert stopped.value.code == 2 and len(said.strip().splitlines()) == 1, said


def test_a_scratch_folder_is_made_where_it_can_be_and_refused_in_one_line_where_not(
    tmp_path, capsys
):
    wanted = tmp_path / "new" / "scratch"
    args = cli.parser().parse_args(["grade", "a1", f"--scratch={wanted}"])
    assert args.scratch == wanted and wanted.is_dir()
    (tmp_path / "a-file").write_text("")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["grade", "a1", f"--scratch={tmp_path / 'a-file' / 'scratch'}"])
    said = capsys.readouterr().err
    assert stopped.value.code == 2 and len(said.strip().splitlines()) == 1, said
    assert "cannot make that folder" in said


def test_a_data_file_python_would_import_is_refused():
    with pytest.raises(ValueError, match="imports"):
        GradingRun(data_files=("numpy.py",))
    assert GradingRun(data_files=("digits.npz",)).data_files == ("digits.npz",)


def write_shard(folder: Path, students: list[str], roster: list[str], index=0, count=1) -> Path:
    folder.mkdir(parents=True)
    data = {
        "assignment": "a1",
        "shard": index,
        "shards": count,
        "roster": roster,
        "students": [
            {"student": s, "timestamp": None, "result": result_to_json(result(s))} for s in students
        ],
    }
    (folder / "shard.json").write_text(json.dumps({**data, "digest": digest(data)}))
    return folder


def test_merge_checks_refuse_tampered_shards(tmp_path):
    roster = ["ada", "bo"]
    fine = Shard.read(write_shard(tmp_path / "fine", roster, roster))
    check_coverage([fine], "a1", set(roster))
    edited = write_shard(tmp_path / "edited", roster, roster)
    text = (edited / "shard.json").read_text().replace('"score": 1.0', '"score": 9.0', 1)
    (edited / "shard.json").write_text(text)
    with pytest.raises(GradingError, match="changed after grading"):
        Shard.read(edited)
    for name, students, words in [
        ("stranger", [*roster, "eve"], "not in the class"),
        ("path", [*roster, "../../x"], "student id"),
    ]:
        shard = Shard.read(write_shard(tmp_path / name, students, roster))
        with pytest.raises(GradingError, match=words):
            check_coverage([shard], "a1", set(roster))
    moved = [
        Shard.read(write_shard(tmp_path / "zero", ["ada", "bo"], roster, 0, 2)),
        Shard.read(write_shard(tmp_path / "one", [], roster, 1, 2)),
    ]
    away = next(s for s in roster if shard_of(s, 2) == 1)
    with pytest.raises(GradingError, match=f"{away}', who belongs in shard 1, not 0"):
        check_coverage(moved, "a1", set(roster))
    linked = write_shard(tmp_path / "linked", roster, roster)
    (linked / "feedback").mkdir()
    (linked / "feedback" / "x.html").symlink_to("/etc/shadow")
    with pytest.raises(GradingError, match="holds links"):
        check_coverage([Shard.read(linked)], "a1", set(roster))


def test_grade_outputs_are_ignored_by_git(repo_root):
    paths = ["grades/predict_shapes.csv", "grades.csv", "shards/0/shard.json", "gradebook.db"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], cwd=repo_root, capture_output=True, text=True
    )
    if done.returncode == 128:
        pytest.skip(f"not a git checkout: {done.stderr.strip()}")
    assert done.stdout.split() == paths, done.stdout
