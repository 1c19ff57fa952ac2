"""Student / instructor / nbgrader editions, checked with nbgrader itself.

A correct sample submission of chapter 3's coding exercise gets full marks; one with
the classic mistake (He's std written 2/√n) loses exactly that exercise's points.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest

from course_lib import editions

CHAPTERS = editions.chapter_notebooks()


def sources(nb):
    return [c.source for c in nb.cells]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_edition_has_no_solutions(path):
    original = nbformat.read(path, as_version=4)
    solutions = [c for c in original.cells if "exercise-solution" in c.metadata.get("tags", [])]
    student = editions.student(original)
    text = "\n".join(sources(student))
    assert "### BEGIN SOLUTION" not in text
    assert "{solution}" not in text
    stubs = [c for c in student.cells if "exercise-solution" in c.metadata.get("tags", [])]
    assert len(stubs) == len(solutions)
    for orig, stub in zip(solutions, stubs):
        assert "raise NotImplementedError" in stub.source
        assert "hide-input" not in stub.metadata["tags"]
        body = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", orig.source, re.S).group(1)
        for line in body.splitlines():
            code = line.strip()
            if code and not code.startswith("#"):
                assert code not in stub.source, f"solution line {code!r} leaked"


def test_every_chapter_has_a_checked_coding_exercise():
    assert CHAPTERS, "no chapter notebooks found"
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
        assert tags.count("exercise-solution") >= 1, f"{path.name}: no coding exercise"
        assert tags.count("exercise-check") == tags.count("exercise-solution"), path.name


def test_instructor_and_student_editions_are_written(tmp_path):
    written = editions.write("student", tmp_path / "student")
    assert [p.name for p in written] == [p.name for p in CHAPTERS]
    assert editions.write("instructor", tmp_path / "teacher")
    with pytest.raises(ValueError, match="알 수 없는 판"):
        editions.write("answers", tmp_path / "x")


def _fill(released, body):
    """A submission: the released notebook with the stub of the first exercise replaced by ``body``."""
    nb = json.loads(json.dumps(released))
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and "NotImplementedError" in src:
            keep = [l for l in src.splitlines() if "NotImplementedError" not in l and "YOUR CODE" not in l]
            cell["source"] = "\n".join(keep) + "\n" + body
            break
    return nb


def test_nbgrader_autogrades_the_he_exercise(tmp_path):
    chapter = next((p for p in CHAPTERS if p.name.startswith("03_")), None)
    if chapter is None:
        pytest.skip("chapter 3 is not written yet")
    course = tmp_path / "course"
    editions.write("nbgrader", course)
    for other in (course / "source").iterdir():
        if other.name != chapter.stem:
            for f in other.iterdir():
                f.unlink()
            other.rmdir()
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "demo"\n')
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run([*nbgrader, "generate_assignment", chapter.stem, "--force"], cwd=course, env=env,
                   check=True, capture_output=True)
    released = json.loads((course / "release" / chapter.stem / chapter.name).read_text())
    bodies = {
        "good": "    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))",
        "mistake": "    return rng.normal(0.0, 2.0 / np.sqrt(fan_in), size=(fan_in, fan_out))",
    }
    for student, body in bodies.items():
        target = course / "submitted" / student / chapter.stem / chapter.name
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(_fill(released, body)))
    subprocess.run([*nbgrader, "autograde", chapter.stem], cwd=course, env=env, check=True,
                   capture_output=True)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        good = gb.find_submission(chapter.stem, "good")
        bad = gb.find_submission(chapter.stem, "mistake")
        assert good.score == good.max_score > 0
        assert good.max_score - bad.score == editions.POINTS
