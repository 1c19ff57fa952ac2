"""Helpers for the browser tests: the book's pages, the build, a local server, a browser.

The site is served from 127.0.0.1 and every other request is refused, so a page that
needs the internet for anything (a CDN script, a font, an icon) fails its test.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parents[2]
# COURSE_BOOK_DIR points the tests at another book (e.g. a scratch copy with a probe page).
BOOK = Path(os.environ.get("COURSE_BOOK_DIR", REPO)).resolve()
SITE = BOOK / "_build" / "html"
SHOTS = BOOK / "_build" / "screenshots"
CHAPTER = re.compile(r"^\d\d_")  # chapter files are book/01_*.ipynb ... book/11_*.ipynb
HANGUL = re.compile(r"[\uac00-\ud7a3]")

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Belt and braces next to the request filter: no host name but localhost resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def config() -> dict:
    return yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Page:
    file: str  # as in _toc.yml, e.g. "book/intro"
    source: Path

    @property
    def url(self) -> str:
        return self.file + ".html"

    @property
    def is_chapter(self) -> bool:
        return bool(CHAPTER.match(Path(self.file).name))

    @property
    def is_notebook(self) -> bool:
        return self.source.suffix == ".ipynb"

    @property
    def slug(self) -> str:
        return self.file.replace("/", "_")


def toc_pages() -> list[Page]:
    """Every page of _toc.yml whose source exists, in reading order."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    pages = []
    for f in files:
        f = re.sub(r"\.(md|ipynb)$", "", f)
        for ext in (".ipynb", ".md"):
            if (BOOK / (f + ext)).exists():
                pages.append(Page(f, BOOK / (f + ext)))
                break
    return pages


def build_site() -> None:
    """`jupyter-book build . -W --keep-going`: incremental, so a fresh site costs seconds."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(BOOK), "-W", "--keep-going"]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run(cmd, cwd=BOOK, env=env, capture_output=True, text=True)
    if run.returncode != 0 or not (SITE / "index.html").exists():
        raise RuntimeError("the book build failed:\n" + (run.stdout + run.stderr)[-6000:])


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


class LocalServer:
    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Visit:
    """What one page load did: problems found, and the bytes it fetched."""
    url: str
    problems: list[str] = field(default_factory=list)
    raw_bytes: int = 0
    gzip_bytes: int = 0
    requests: int = 0


def open_page(browser, base: str, path: str, viewport=(1280, 900)):
    """A new context and page with every non-local request refused and everything logged."""
    visit = Visit(base + path)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  locale="ko-KR", service_workers="block")

    def route(r):
        url = r.request.url
        if url.startswith(base) or urlsplit(url).scheme in ("data", "blob"):
            r.continue_()
        else:
            visit.problems.append(f"blocked non-local request: {url}")
            r.abort("internetdisconnected")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error"
            and visit.problems.append(f"console error: {m.text} @ {m.location.get('url')}"))
    page.on("pageerror", lambda e: visit.problems.append(f"page error: {e}"))
    # net::ERR_ABORTED is the page cancelling its own fetch (Sphinx's search aborts the
    # summary fetches of the previous query); a missing file shows as an HTTP error below.
    page.on("requestfailed", lambda r: r.url.startswith(base) and "ERR_ABORTED" not in (r.failure or "")
            and visit.problems.append(f"failed request: {r.url} ({r.failure})"))

    def on_response(resp):
        if resp.status >= 400:
            visit.problems.append(f"HTTP {resp.status}: {resp.url}")
            return
        if resp.url.startswith(base):
            try:
                body = resp.body()
            except Exception:  # redirects and aborted loads have no body
                return
            visit.requests += 1
            visit.raw_bytes += len(body)
            visit.gzip_bytes += len(gzip.compress(body, 6))

    page.on("response", on_response)
    return context, page, visit


SETTLE_JS = """async () => {
  // MathJax 3 typesets after load; widgets render from the embedded state.
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const hasWidgets = !!document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  const t0 = Date.now();
  while (hasWidgets && Date.now() - t0 < 15000) {
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    const rendered = document.querySelectorAll('.jupyter-widgets');
    const imgs = [...document.querySelectorAll('img.widget-image')];
    if (rendered.length && imgs.every(i => i.complete) && views.length) break;
    await new Promise(r => setTimeout(r, 100));
  }
  await Promise.all([...document.images].map(i => i.complete ? null :
      new Promise(r => { i.onload = i.onerror = r; })));
  await new Promise(r => setTimeout(r, 400));   // widget labels' deferred typesetting
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  return hasWidgets;
}"""

# Text a reader sees (no code, no typeset math, no scripts): raw TeX must not be in it.
VISIBLE_TEXT_JS = """() => {
  const root = document.querySelector('.bd-article') || document.body;
  const clone = root.cloneNode(true);
  clone.querySelectorAll('pre, code, .highlight, mjx-container, script, style, .cell_input')
       .forEach(n => n.remove());
  return clone.innerText;
}"""

RAW_TEX = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$|"
    r"\\(frac|sqrt|sum|prod|mathrm|mathbf|partial|cdot|sigma|eta|alpha|left|right|begin|end)\b")


def platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium really used for the text of the first match (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})
    node = cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector})
    if not node.get("nodeId"):
        return []
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]


IMAGE_DIGEST_JS = """async (el) => {
  const imgs = [...el.querySelectorAll('img.widget-image')];
  const parts = [];
  for (const img of imgs) {
    const buf = await (await fetch(img.src)).arrayBuffer();
    const hash = await crypto.subtle.digest('SHA-256', buf);
    parts.push([...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join(''));
  }
  return parts.join('+');
}"""
