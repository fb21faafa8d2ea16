"""Every page of a fresh report run, opened in a real browser (headless Chromium through Playwright).

Run with ``make test-browser``; it needs Debian's ``chromium`` (``apt-get install chromium``), found at
``/usr/bin/chromium`` or at ``$RENOSTATS_CHROMIUM``. The suite makes its own report run per language the
notebooks take (``lang``), or checks an existing run folder given as ``$RENOSTATS_BROWSER_RUN``. For each
page it checks, at a 1280 px wide window: nothing wider than the window and no box whose content is cut;
every figure loaded; Chinese text drawn with the embedded CJK font; no "NaN", "None" or "Traceback" in
the text. A failing page leaves a screenshot ``<page>.png`` in ``screenshots/`` of its run folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="make test-browser installs playwright")

WIDTH = 1280
CHROMIUM = os.environ.get("RENOSTATS_CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: without the background-networking ones Chromium keeps dialling out.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB_FONT = "renostats-cjk"
CJK = re.compile(r"[\u4e00-\u9fff]")

PROBE = """async () => {
  await document.fonts.ready;
  const width = document.documentElement.scrollWidth;
  const cut = [...document.querySelectorAll('pre, table, p, li, h1, h2, h3, div.jp-OutputArea-output')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .slice(0, 5).map(e => e.tagName + ': ' + (e.innerText || '').slice(0, 60));
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(e => e.tagName + ': ' + (e.innerText || '').slice(0, 60));
  const images = [...document.images].map(i => ({src: i.src.slice(0, 40), ok: i.complete && i.naturalWidth > 0}));
  const faces = [...document.fonts].map(f => [f.family.replace(/"/g, ''), f.status]);
  return {width, cut, wide, images, faces, text: document.body.innerText};
}"""


def _langs() -> list[str]:
    """The languages the notebooks take: ``en`` and ``zh`` once they declare a ``lang`` parameter."""
    from renostats import report

    declared = [report.notebook_parameters(nb) for nb in report.list_notebooks()]
    if declared and all("lang" in d for d in declared):
        return ["en", "zh"]
    return ["en"]


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    given = os.environ.get("RENOSTATS_BROWSER_RUN")
    if given:
        return {"given": Path(given)}
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set RENOSTATS_CHROMIUM)")
    out: dict[str, Path] = {}
    for lang in _langs():
        folder = tmp_path_factory.mktemp(f"reports-{lang}")
        cmd = [sys.executable, "-m", "renostats.cli", "run", "--out", str(folder)]
        if lang != "en":
            cmd += ["-p", "lang", lang]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        out[lang] = (folder / "latest").resolve()
    return out


def _pages(runs: dict[str, Path]) -> list[tuple[str, Path]]:
    return [(lang, page) for lang, run in runs.items() for page in sorted(run.glob("*.html"))]


@pytest.fixture(scope="session")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_every_page_reads_in_a_1280px_window(runs, browser):
    problems: list[str] = []
    pages = _pages(runs)
    assert pages, f"no pages in {runs}"
    report: dict[str, dict] = {}
    for lang, page in pages:
        tab = browser.new_page(viewport={"width": WIDTH, "height": 900})
        tab.goto(page.as_uri())
        tab.wait_for_load_state("load")
        seen = tab.evaluate(PROBE)
        found: list[str] = []
        if seen["width"] > WIDTH:
            found.append(f"page is {seen['width']} px wide: {seen['wide']}")
        if seen["cut"]:
            found.append(f"boxes with cut content: {seen['cut']}")
        broken = [i["src"] for i in seen["images"] if not i["ok"]]
        if broken:
            found.append(f"figures not loaded: {broken}")
        words = [w for w in ("NaN", "None", "Traceback") if re.search(rf"\b{w}\b", seen["text"])]
        if words:
            found.append(f"text shows {words}")
        font = dict(seen["faces"]).get(WEB_FONT)
        if CJK.search(seen["text"]) and font != "loaded":
            found.append(f"Chinese text but the embedded font {WEB_FONT} is {font or 'missing'}")
        report[f"{lang}/{page.name}"] = {"width": seen["width"], "figures": len(seen["images"]), "font": font}
        if found:
            shots = page.parent / "screenshots"
            shots.mkdir(exist_ok=True)
            tab.screenshot(path=str(shots / f"{page.stem}.png"), full_page=True)
            problems += [f"{lang}/{page.name}: {f}" for f in found]
        tab.close()
    print(json.dumps(report, ensure_ascii=False, indent=1))
    assert not problems, "\n".join(problems)


def test_the_probe_sees_what_it_should(tmp_path, browser):
    """The checks themselves fail on a page that is too wide, has a broken figure and prints NaN."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><body><div style="width:2000px">NaN 复工</div><img src="missing.png"></body></html>',
        encoding="utf-8",
    )
    tab = browser.new_page(viewport={"width": WIDTH, "height": 900})
    tab.goto(bad.as_uri())
    tab.wait_for_load_state("load")
    seen = tab.evaluate(PROBE)
    tab.close()
    assert seen["width"] > WIDTH
    assert not seen["images"][0]["ok"]
    assert "NaN" in seen["text"]
    assert WEB_FONT not in dict(seen["faces"])
    shutil.rmtree(tmp_path, ignore_errors=True)
