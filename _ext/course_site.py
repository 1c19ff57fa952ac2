"""Sphinx extension for the course website (registered in ``_config.yml``).

What it does, each for a site that works fully offline:

* sets ``COURSE_LIB_STATIC=1`` in the build process, so the notebook kernels the build
  starts (they inherit its environment) precompute every widget setting into frames
  that ``jslink``ed controls switch in the browser (see ``course_lib.widgets``);
* copies ``site_assets/`` (our CSS and widget shim, vendored MathJax 3 and the
  ipywidgets html-manager) to ``_static/course/`` in the output. They are *not* in a
  source ``_static/`` folder, because Jupyter Book adds every .js/.css found there to
  every page; MathJax and the widget manager load only on pages that need them
  (``mathjax_path`` and ``nb_ipywidgets_js`` in ``_config.yml``);
* adds the Korean font stack (``course-site.css``) to every page;
* registers a Korean search language: Sphinx has none, and its English fallback indexes
  whole words only, so "초기화" would miss "초기화를" and "초기화는". Korean attaches
  particles and endings to the word, so each Hangul word is indexed together with its
  prefixes of two or more syllables: searching a word finds every inflected form of it;
* removes the duplicate inline ``const THEBE_JS_URL = ...`` script that jupyter-book
  1.0.4 puts on every page (the second copy throws "Identifier 'THEBE_JS_URL' has
  already been declared" in the browser console), and keeps MathJax off pages with no
  formula of their own.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from sphinx.search.en import SearchEnglish
from sphinx.util import logging

logger = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent.parent / "site_assets"
OUT_SUBDIR = "course"  # -> _build/html/_static/course/

# Widgets are precomputed into static frames in every kernel the build starts.
os.environ["COURSE_LIB_STATIC"] = "1"


# --------------------------------------------------------------------------- search
HANGUL = re.compile(r"[\uac00-\ud7a3]")
MIN_PREFIX = 2  # syllables: "초기" from "초기화를"; one syllable would match far too much


class SearchKorean(SearchEnglish):
    """English rules for Latin words, plus prefix indexing for Hangul words.

    ``split("가중치 초기화를")`` -> ``["가중치", "가중", "초기화를", "초기화", "초기"]``.
    The browser side (searchtools.js) looks each query word up as is, so a query word
    that is the stem of an indexed word finds it. Porter stemming leaves Hangul alone.
    """

    lang = "ko"
    language_name = "Korean"

    def split(self, input: str) -> list[str]:
        words = []
        for word in super().split(input):
            words.append(word)
            if HANGUL.match(word):
                # Only a leading run of Hangul gets prefixes ("ReLU의" stays one word).
                words.extend(word[:n] for n in range(len(word) - 1, MIN_PREFIX - 1, -1)
                             if HANGUL.fullmatch(word[:n][-1]))
        return words


# --------------------------------------------------------------------------- assets
def copy_assets(app) -> None:
    """Copy site_assets/ to _static/course/ before pages are written (checksums need it)."""
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / OUT_SUBDIR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ASSETS, target, ignore=shutil.ignore_patterns("*.md", "*.sh"))


def tidy_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep one copy of each inline script (jupyter-book 1.0.4 adds Thebe's config twice),
    and load MathJax only on pages that have math themselves.

    Sphinx also loads MathJax on a page whose toctree *includes* pages with math (for
    singlehtml), i.e. on the book's front page: 1.3 MB for no formula.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    own_math = bool(app.env.get_domain("math").data.get("has_equations", {}).get(pagename))
    seen, kept = set(), []
    for js in scripts:
        if not own_math and _is_mathjax(js, app.config.mathjax_path):
            continue
        # The copies differ only in filename None vs "" (both mean "inline").
        filename = getattr(js, "filename", js) or ""
        attributes = getattr(js, "attributes", {})
        key = (str(filename), tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def _is_mathjax(js, mathjax_path: str) -> bool:
    filename = str(getattr(js, "filename", "") or "")
    body = getattr(js, "attributes", {}).get("body", "") or ""
    return (bool(mathjax_path) and filename.endswith(mathjax_path)) or body.startswith("window.MathJax")


def check_assets(app, config) -> None:
    """Fail the build early if a configured local asset is missing from site_assets/."""
    prefix = OUT_SUBDIR + "/"
    local = [config.mathjax_path, *(getattr(config, "nb_ipywidgets_js", None) or {})]
    for path in local:
        if path and path.startswith(prefix) and not (ASSETS / path[len(prefix):]).is_file():
            logger.warning("course_site: %s is configured but site_assets/%s is missing",
                           path, path[len(prefix):])


def setup(app):
    app.add_search_language(SearchKorean)
    app.add_css_file(f"{OUT_SUBDIR}/course-site.css")
    app.connect("config-inited", check_assets)
    app.connect("builder-inited", copy_assets)
    app.connect("html-page-context", tidy_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
