"""Binder and Colab get what they need from the repository (no browser needed).

The repository URL lives in one place, _config.yml; the launch buttons are built from
it (tested in test_site.py) and the Colab install cell of each chapter must use it too.
"""
import re
import tomllib

import pytest

from . import sitekit as site

CHAPTERS = [p for p in site.toc_pages() if p.is_chapter and p.is_notebook]


def _names(lines):
    return {re.split(r"[<>=!~;\[ ]", ln.strip(), maxsplit=1)[0].lower().replace("_", "-")
            for ln in lines if ln.strip() and not ln.strip().startswith(("#", "-"))}


def test_binder_installs_the_package_and_its_runtime_dependencies():
    lines = (site.BOOK / "binder" / "requirements.txt").read_text().splitlines()
    assert "-e ." in [ln.strip() for ln in lines], "Binder must install course_lib itself"
    project = tomllib.loads((site.BOOK / "pyproject.toml").read_text())["project"]
    missing = _names(project["dependencies"]) - _names(lines)
    assert not missing, f"binder/requirements.txt lacks {missing}"
    assert (site.BOOK / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")


@pytest.mark.parametrize("page", CHAPTERS, ids=[p.file for p in CHAPTERS])
def test_first_code_cell_installs_course_lib_in_colab(page):
    import nbformat

    nb = nbformat.read(page.source, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code").source
    repo = site.config()["repository"]["url"].rstrip("/")
    assert "google.colab" in first and "pip" in first, (
        "the first code cell must install course_lib when the notebook runs in Colab")
    assert repo in first, f"the Colab install cell must install from {repo} (_config.yml)"
