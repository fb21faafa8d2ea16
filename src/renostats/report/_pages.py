"""What a run writes beside the executed notebooks: HTML pages, workbooks, metrics and the index."""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from renostats import cluster
from renostats.report._notebook import _format_value, _short

if TYPE_CHECKING:
    from renostats.report._runner import NotebookRun


def _write_workbook(nb: Any, path: Path, params: Mapping[str, Any], lang: str, status: str) -> Path | None:
    """``<notebook>.xlsx``: an About sheet, then each table the page registered with ``table()``."""
    from renostats import tables

    found = tables.collect(nb)
    if not found:
        return None
    zh = lang == "zh"
    files = [str(params[k]) for k in cluster.FILE_PARAMETERS if params.get(k)]
    about = [
        ("标题" if zh else "Title", _title(nb)),
        ("笔记本" if zh else "Notebook", path.stem),
        ("参数" if zh else "Parameters", dict(params) or ("默认" if zh else "defaults")),
        ("数据文件" if zh else "Data files", files or ("内置示例数据" if zh else "the bundled demo data")),
        ("运行时间" if zh else "Run at", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("状态" if zh else "Status", status),
    ]
    return tables.write_workbook(found, path, about=about, about_name="说明" if zh else "About")


@functools.cache
def _exporter(show_code: bool) -> Any:
    from fontTools import subset  # noqa: F401  (used by the web font; imported here to warm up)
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def _export_html(nb: Any, path: Path, show_code: bool, lang: str = "en") -> Path:
    body, _ = _exporter(show_code).from_notebook_node(nb)
    if lang == "zh":
        body = body.replace('<html lang="en">', '<html lang="zh-CN">', 1)
    path.write_text(_with_web_font(body), encoding="utf-8")
    return path


def _title(nb: Any) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _key(result: NotebookRun) -> str:
    return f"{result.set_name}/{result.notebook}" if result.set_name else result.notebook


def _write_metrics(run_dir: Path, results: Sequence[NotebookRun]) -> None:
    payload = {
        "run": run_dir.name,
        "ok": all(r.status == "ok" for r in results),
        "notebooks": {
            _key(r): {
                "notebook": r.notebook,
                "set": r.set_name,
                "status": r.status,
                "error": r.error,
                "parameters": r.parameters,
                "metrics": r.metrics,
            }
            for r in results
        },
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    (run_dir / "metrics.json").write_text(text + "\n", encoding="utf-8")


def _write_metrics_csv(run_dir: Path, results: Sequence[NotebookRun]) -> None:
    """Every notebook's metrics in one long table (one row per set, notebook and metric) for analysis."""
    import csv

    with (run_dir / "metrics.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["set", "notebook", "status", "metric", "value", "unit", "label", "error"])
        for r in results:
            if not r.metrics:
                w.writerow([r.set_name or "", r.notebook, r.status, "", "", "", "", r.error or ""])
            for name, m in r.metrics.items():
                w.writerow([r.set_name or "", r.notebook, r.status, name, m["value"], m.get("unit") or "",
                            m.get("label") or "", r.error or ""])  # fmt: skip


def _district_table(run_dir: Path, results: Sequence[NotebookRun], zh: bool) -> str:
    """One row per parameter set (a district): status, headline metrics of each notebook, links."""
    sets: dict[str, list[NotebookRun]] = {}
    for r in results:
        sets.setdefault(r.set_name or "", []).append(r)
    head = ("地区", "状态", "主要指标", "页面") if zh else ("District", "Status", "Headline metrics", "Pages")
    rows = []
    for name, runs in sets.items():
        failed = [r for r in runs if r.status != "ok"]
        ok = not failed
        status = (
            "<span class=ok>" + ("全部成功" if zh else "ok") + "</span>"
            if ok
            else "<span class=bad>"
            + html.escape(", ".join(f"{r.notebook}: {r.status}" for r in failed))
            + "</span><div class=err>"
            + html.escape("; ".join(_short(r.error or "", 200) for r in failed))
            + "</div>"
        )
        metrics = "".join(
            f"<li><code>{html.escape(r.notebook[:2])}.{html.escape(k)}</code> = {html.escape(_format_value(m['value']))}"
            f"{(' ' + html.escape(m['unit'])) if m.get('unit') else ''}</li>"
            for r in runs
            for k, m in list(r.metrics.items())[:3]
        )
        links = " · ".join(
            f"<a href='{html.escape(str(r.html.relative_to(run_dir)))}'>{html.escape(r.notebook[:2])}</a>"
            for r in runs
            if r.html
        )
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{status}</td><td><ul>{metrics}</ul></td><td>{links}</td></tr>"
        )
    return (
        f"<h2>{'各地区' if zh else 'Districts'}</h2><table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + f"<p><a href='metrics.csv'>metrics.csv</a>{'(各地区全部指标)' if zh else ' (every district, every metric)'}</p>"
    )


def _write_index(
    run_dir: Path, results: Sequence[NotebookRun], label: str, *, districts: bool = False
) -> None:
    from renostats import __version__

    zh = bool(results) and all(r.lang == "zh" for r in results)
    words = _INDEX_WORDS["zh" if zh else "en"]
    rows = []
    for r in results:
        link = html.escape(str(r.html.relative_to(run_dir))) if r.html else ""
        log = html.escape(str(r.output.relative_to(run_dir)))
        book = (
            f" · <a href='{html.escape(str(r.workbook.relative_to(run_dir)))}'>xlsx</a>" if r.workbook else ""
        )
        metrics = "".join(
            f"<li><code>{html.escape(name)}</code> = {html.escape(_short(_format_value(m['value'])))}"
            f"{(' ' + html.escape(m['unit'])) if m.get('unit') else ''}"
            f"{(' <span class=l>(' + html.escape(m['label']) + ')</span>') if m.get('label') else ''}"
            "</li>"
            for name, m in r.metrics.items()
        )
        params = (
            "".join(
                f"<li><code>{html.escape(k)}</code> = {html.escape(_short(repr(v)))}"
                for k, v in r.parameters.items()
            )
            or f"<li>{words['defaults']}</li>"
        )
        status = (
            f"<span class=ok>{words['ok']}</span>"
            if r.status == "ok"
            else f"<span class=bad>{r.status}</span><div class=err>{html.escape(_short(r.error or '', 2000))}</div>"
        )
        title = html.escape(r.title or r.notebook)
        rows.append(
            "<tr>"
            f"<td><a href='{link}'>{title}</a><br><small>{html.escape(r.notebook)}"
            f"{' · ' + html.escape(r.set_name) if r.set_name else ''} · <a href='{log}'>ipynb</a>{book}"
            "</small></td>"
            f"<td>{status}<br><small>{r.seconds:.1f} s</small></td>"
            f"<td><ul>{metrics}</ul></td><td><ul>{params}</ul></td>"
            "</tr>"
        )
    heading = f"{words['heading']} {run_dir.name}"
    ok = sum(r.status == "ok" for r in results)
    summary = words["summary"].format(ok=ok, total=len(results))
    province = _district_table(run_dir, results, zh) if districts else ""
    page = f"""<!DOCTYPE html>
<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8"><title>{html.escape(heading)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .5em; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }}
ul {{ margin: 0; padding-left: 1.1em; }} .ok {{ color: #007a33; }} .bad {{ color: #b00020; }}
.err {{ font-family: monospace; font-size: .85em; white-space: pre-wrap; }} .l {{ color: #666; }}
</style></head><body>
<h1>{html.escape(heading)}</h1>
<p>{words["set"]}: {html.escape(label) if label else words["defaults"]} · renostats {__version__} · {summary} ·
<a href="metrics.json">metrics.json</a></p>
{province}
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in words["columns"])}</tr>
</thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    (run_dir / "index.html").write_text(_with_web_font(page), encoding="utf-8")


_INDEX_WORDS = {
    "en": {
        "heading": "renostats report",
        "set": "Parameter set",
        "defaults": "defaults",
        "ok": "ok",
        "summary": "{ok} of {total} notebook(s) succeeded",
        "columns": ("Notebook", "Status", "Headline metrics", "Parameters"),
    },
    "zh": {
        "heading": "renostats 报告",
        "set": "参数集",
        "defaults": "默认",
        "ok": "成功",
        "summary": "{total}个笔记本中{ok}个成功",
        "columns": ("笔记本", "状态", "主要指标", "参数"),
    },
}


def _with_web_font(page: str) -> str:
    """Embed the CJK glyphs the page uses, so it reads as Chinese on machines without CJK fonts."""
    from renostats.plotting import web_font_css

    css = web_font_css(page)
    return page.replace("</head>", css + "</head>", 1) if css else page
