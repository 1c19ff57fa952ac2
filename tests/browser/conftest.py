"""Fixtures of the browser tests: a freshly built site, served locally, in headless Chromium.

If Chromium or Playwright is missing the tests fail (they never skip themselves into a
green run): `bash scripts/install-browser.sh` installs Debian's chromium and fonts-noto-cjk.
"""
from __future__ import annotations

import json
import os

import pytest

from . import sitekit as site


@pytest.fixture(scope="session")
def built_site():
    """Build the book (incremental: seconds when nothing changed) before any browser test."""
    if not os.environ.get("COURSE_SITE_PREBUILT"):
        try:
            site.build_site()
        except RuntimeError as err:
            pytest.fail(str(err), pytrace=False)
    site.SHOTS.mkdir(parents=True, exist_ok=True)
    return site.SITE


@pytest.fixture(scope="session")
def server(built_site):
    with site.LocalServer(built_site) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements.txt", pytrace=False)
    exe = site.find_chromium()
    if not exe:
        pytest.fail("no Chromium found: run `bash scripts/install-browser.sh`", pytrace=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=site.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def weights():
    """Page weights measured during the run, written to _build/page-weights.json."""
    table: dict[str, dict] = {}
    yield table
    if table:
        out = site.BOOK / "_build" / "page-weights.json"
        out.write_text(json.dumps(table, indent=1, ensure_ascii=False), encoding="utf-8")
