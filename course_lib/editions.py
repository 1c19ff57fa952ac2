"""Student, instructor and nbgrader editions of the chapter notebooks, from one source.

    python -m course_lib.editions student    OUT   # 해답을 지운 학생용 노트북
    python -m course_lib.editions instructor OUT   # 해답이 있는 교수자용 노트북 (원본 그대로)
    python -m course_lib.editions nbgrader   OUT   # nbgrader의 source/ 폴더 (과제 하나 = 장 하나)

Conventions in the chapter notebooks (see the chapters' 연습문제 sections):

* a code cell tagged ``exercise-solution`` holds the student's function; the reference
  body stands between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; a comment line
  ``# 힌트: …`` right after ``### BEGIN SOLUTION`` is the hint;
* the next code cell, tagged ``exercise-check``, is one expression that calls a checker
  (``check.he_normal(my_he_normal)``), worth ``POINTS`` points in nbgrader;
* ``{solution}`` blocks in Markdown cells are the written solutions.

The student edition replaces each solution body by ``raise NotImplementedError("힌트: …")``,
removes the written solutions and the hidden assertions on exercises. The nbgrader
edition marks solution cells (``solution: true``) and turns each check cell into an
autograded test cell (``assert`` on the checker's result) — nbgrader's
``generate_assignment`` then strips the solutions itself.
"""
import copy
import pathlib
import re
import sys

import nbformat

POINTS = 2
BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"
_SOLUTION = re.compile(r"( *)### BEGIN SOLUTION\n(.*?)\n *### END SOLUTION", re.S)
_HINT = re.compile(r"#\s*힌트:\s*(.*)")
_WRITTEN = re.compile(r"```\{solution\}.*?\n```\s*", re.S)


def chapter_notebooks(book=BOOK):
    """The chapter notebooks (book/NN_*.ipynb), in order."""
    return sorted(pathlib.Path(book).glob("[0-9][0-9]_*.ipynb"))


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _stub(match):
    indent, body = match.group(1), match.group(2)
    hint = _HINT.search(body)
    text = f"힌트: {hint.group(1).strip()}" if hint else "이 부분을 직접 구현해 보세요."
    return f"{indent}# 여기에 코드를 작성하세요.\n{indent}raise NotImplementedError({text!r})"


def student(nb):
    """A copy of ``nb`` without solutions."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = _tags(cell)
        if cell.cell_type == "markdown":
            cell.source = _WRITTEN.sub("", cell.source)
            if not cell.source.strip():
                continue
        elif "exercise-solution" in tags:
            cell.source = _SOLUTION.sub(_stub, cell.source)
            cell.metadata["tags"] = [t for t in tags if t != "hide-input"]
        elif "remove-cell" in tags and "check." in cell.source:
            continue  # the book's hidden assertion that the reference passes
        cells.append(cell)
    nb.cells = cells
    return nb


def nbgrader(nb, name):
    """A copy of ``nb`` with nbgrader metadata on the exercise cells (schema version 3)."""
    nb = copy.deepcopy(nb)
    cells, n = [], 0
    for cell in nb.cells:
        tags = _tags(cell)
        if "remove-cell" in tags and "check." in cell.source:
            continue
        if "exercise-solution" in tags:
            n += 1
            cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                         "grade_id": f"{name}-solution-{n}", "schema_version": 3}
        elif "exercise-check" in tags:
            cell.source = f"result = {cell.source.strip()}\nassert result, repr(result)"
            cell.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True,
                                         "points": POINTS, "grade_id": f"{name}-check-{n}",
                                         "schema_version": 3}
        cells.append(cell)
    nb.cells = cells
    return nb


def write(kind, out, book=BOOK):
    """Write every chapter's ``kind`` edition under ``out``; returns the written paths."""
    out = pathlib.Path(out)
    written = []
    for path in chapter_notebooks(book):
        nb = nbformat.read(path, as_version=4)
        name = path.stem
        if kind == "student":
            target, nb = out / path.name, student(nb)
        elif kind == "instructor":
            target = out / path.name
        elif kind == "nbgrader":
            target, nb = out / "source" / name / path.name, nbgrader(nb, name)
        else:
            raise ValueError(f"알 수 없는 판 '{kind}': student, instructor, nbgrader 중 하나여야 합니다")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__)
        return 2
    for path in write(argv[0], argv[1]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
