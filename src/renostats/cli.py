"""The ``renostats`` command: a thin face over :mod:`renostats.report`.

Exit codes: 0 success; 1 a notebook failed (its output notebook is kept in the run folder and
``reports/latest`` is unchanged); 2 a usage error: an unknown notebook, set or parameter name, a value
of the wrong type, a bad YAML file, ``--out`` at a file, a missing ``data_dir`` (nothing is run or
written), or a parameter value or ledger that a notebook refused (the refused run is kept,
``reports/latest`` is unchanged). Usage errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``renostats`` command; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the problem
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="renostats",
        description="Research notebooks for urban renewal and local economic recovery.",
    )
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(
        "run",
        help="execute report notebooks into reports/<timestamp>/",
        description=(
            "Execute report notebooks with papermill into reports/<YYYYmmdd-HHMMSS>[-<set>]/ with an HTML "
            "page per notebook, metrics.json and index.html; reports/latest moves only when all succeed. "
            "Exit 0 on success, 1 when a notebook failed, 2 for a usage error or a refused parameter value."
        ),
    )
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="names or paths (default: all)")
    run.add_argument(
        "-f", "--file", dest="param_file", metavar="PARAMS.yaml", help="YAML file of parameter values"
    )
    run.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter; VALUE is read as the type the notebook declares (text as written; "
        "numbers, true/false and lists as YAML 1.2: 010 is 10, on/no stay text)",
    )
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME",
        help="named parameter set notebooks/params/NAME.yaml (repeatable)",
    )
    run.add_argument(
        "--matrix",
        metavar="DISTRICTS.csv",
        help="CSV or YAML with one row per district (district, data_dir, lang, ...): each row a parameter set",
    )
    run.add_argument("--jobs", type=int, default=1, metavar="N", help="notebooks run at once on this machine")
    run.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run each notebook as a task on the Dask cluster of this scheduler ('local': a LocalCluster of --jobs workers)",
    )
    run.add_argument("--out", metavar="DIR", help="reports folder (default: reports/)")
    run.add_argument("--show-code", action="store_true", help="keep code cells in the HTML pages")
    run.set_defaults(func=_run)

    check = sub.add_parser(
        "check",
        help="read a ledger and say what was read, or list every bad cell",
        description="Read an .xlsx/.xls/.csv ledger as a ledger kind. Exit 0 when it reads cleanly, "
        "1 when it has bad cells (listed with file, sheet, row, column; the same problem in several "
        "cells of a column on one line), 2 for a usage error.",
    )
    check.add_argument("ledger", metavar="LEDGER", help="path of the .xlsx, .xls or .csv file")
    check.add_argument("--kind", required=True, help="renovation, enterprise_reports or outcomes")
    check.add_argument(
        "--sheet",
        help="sheet name, or N for the N-th sheet counting from 1 as Excel's tabs do (default: the sheet "
        "active when the file was saved; the other visible sheets are searched when it has no header)",
    )
    check.add_argument(
        "--needs",
        metavar="COLUMNS",
        help="comma-separated canonical columns an analysis needs, e.g. households,floor_area_m2 "
        "(default: the columns the kind usually needs); the others may be blank or absent",
    )
    check.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="language of the messages: en (default) or zh (中文)",
    )
    check.set_defaults(func=_check)
    return parser


def _run(args: argparse.Namespace) -> int:
    from renostats import report

    try:
        result = report.run(
            args.notebooks or None,
            parameters={name: report.CommandLineText(value) for name, value in args.param},
            param_file=args.param_file,
            sets=args.sets or None,
            jobs=args.jobs,
            out=args.out,
            show_code=args.show_code,
            progress=lambda line: print(line, flush=True),
            matrix=args.matrix,
            scheduler=args.scheduler,
        )
    except report.UsageError as exc:
        print(f"renostats run: error: {exc}", file=sys.stderr)
        return 2
    if not result.ok:
        for failed in result.failures:
            print(f"renostats run: {report._notebook._short(failed.error or '', 500)}", file=sys.stderr)
            print(f"renostats run: failed notebook kept at {failed.output}", file=sys.stderr)
        print("renostats run: reports/latest left unchanged", file=sys.stderr)
        return 2 if result.invalid_parameters else 1
    print(f"report ready: {result.latest / 'index.html'}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from renostats.ledger import LedgerError, read_ledger
    from renostats.schemas import SCHEMAS

    if args.kind not in SCHEMAS:
        print(f"renostats check: error: unknown kind {args.kind!r}; expected one of {', '.join(SCHEMAS)}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        needs = None if args.needs is None else [n.strip() for n in args.needs.split(",") if n.strip()]
        read = read_ledger(args.ledger, args.kind, sheet=_sheet(args.ledger, args.sheet), needs=needs)
    except FileNotFoundError as exc:
        print(f"renostats check: error: {exc}", file=sys.stderr)
        return 2
    except LedgerError as exc:
        for line in _problem_lines(exc, args.lang):
            print(line, file=sys.stderr)
        return 1
    except ValueError as exc:  # an unknown column in --needs
        print(f"renostats check: error: {exc}", file=sys.stderr)
        return 2
    print(read.summary(lang=args.lang))
    return 0


def _problem_lines(exc, lang: str) -> list[str]:
    """A refused ledger as a clerk reads it: the head line, then each problem, the same problem in
    several cells of a column grouped into one line."""
    from renostats.ledger import describe_problems

    head = str(exc.args[0] if exc.args else exc).split("\n")[0]
    if not exc.problems:
        return [head]
    if lang == "zh":
        cells = len({(p.row, p.column) for p in exc.problems})
        missing = head.split(". ")[0] if "missing column" in head else None
        head = f"{exc.problems[0].file}:{cells} 个单元格有问题" + (f"({missing})" if missing else "")
    return [head, *(f"  {line}" for line in describe_problems(exc.problems, lang=lang))]


def _sheet(path: str, text: str | None) -> str | int | None:
    """``--sheet``: a sheet's name, or a number N for the N-th sheet (from 1) when no sheet has that name."""
    if text is None or not text.isdigit():
        return text
    from renostats.ledger import sheet_names

    try:
        names = sheet_names(path)
    except (OSError, ValueError):
        return text  # read_ledger says what is wrong with the file
    if text in names:
        return text
    return int(text) - 1 if 1 <= int(text) <= len(names) else text  # else read_ledger lists the sheets


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
