"""Running a chapter twice gives the same numbers: every text output is compared.

The two runs execute at the same time, in two kernels (the CI machine has two cores), each
driven from its own thread: the test process may already run an event loop (Playwright's).
"""
import asyncio
import pathlib
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


async def run(path):
    nb = nbformat.read(path, as_version=4)
    await NotebookClient(nb, timeout=300, kernel_name="python3",
                         resources={"metadata": {"path": str(BOOK)}}).async_execute()
    return nb


def text_outputs(nb):
    texts = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append((i, out["text"]))
            elif "application/vnd.jupyter.widget-view+json" not in out.get("data", {}):
                for mime in ("text/plain", "text/markdown", "text/html"):
                    if mime in out.get("data", {}) and "image/png" not in out["data"]:
                        texts.append((i, out["data"][mime]))
    return texts


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_outputs_are_identical_on_a_second_run(path):
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: asyncio.run(run(path)), range(2))
    assert text_outputs(first), "no text output to compare"
    assert text_outputs(first) == text_outputs(second)
