"""The report runner: run folders, metrics, latest, failures, parameters and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from renostats import cli, paths, report
from tests.conftest import write_notebook


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    return tmp_path / "reports"


def test_run_writes_notebook_html_metrics_index_and_latest(notebook_dir, reports):
    result = report.run([notebook_dir / "01_ok.ipynb"], out=reports, progress=None)
    assert result.ok
    run_dir = result.run_dir
    assert run_dir.parent == reports
    assert (run_dir / "01_ok.ipynb").is_file()
    page = (run_dir / "01_ok.html").read_text(encoding="utf-8")
    assert "households = 29,681 户" in page
    assert ">record<" not in page  # code hidden by default
    assert "@font-face" in page  # Chinese glyphs embedded
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    got = metrics["notebooks"]["01_ok"]["metrics"]
    assert got["households"] == {"value": 29681, "unit": "户", "label": None}
    assert got["alpha_used"]["value"] == 0.05
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "01_ok.html" in index and "households" in index
    assert (reports / "latest").resolve() == run_dir.resolve()


def test_show_code_keeps_code_in_html(notebook_dir, reports):
    result = report.run([notebook_dir / "01_ok.ipynb"], out=reports, show_code=True, progress=None)
    page = (result.run_dir / "01_ok.html").read_text(encoding="utf-8")
    assert ">record<" in page


def test_chinese_string_parameters_stay_readable(notebook_dir, reports):
    result = report.run(
        [notebook_dir / "01_ok.ipynb"], parameters={"district": "北塔区"}, out=reports, progress=None
    )
    nb = nbformat.read(str(result.run_dir / "01_ok.ipynb"), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "district = '北塔区'" in injected.source
    assert "\\u" not in injected.source
    assert result.notebooks[0].metrics["district"]["value"] == "北塔区"
    assert "北塔区" in (result.run_dir / "01_ok.html").read_text(encoding="utf-8")


def test_failed_notebook_keeps_output_and_latest(notebook_dir, reports):
    good = report.run([notebook_dir / "01_ok.ipynb"], out=reports, progress=None)
    write_notebook(notebook_dir / "03_boom.ipynb", "x = 1", "y = 2", "1 / 0")
    bad = report.run([notebook_dir / "03_boom.ipynb"], out=reports, progress=None)
    assert not bad.ok and bad.latest is None
    failure = bad.failures[0]
    assert failure.status == "failed"
    assert "03_boom.ipynb failed in cell 4 (In [3]): ZeroDivisionError" in failure.error
    assert "ZeroDivisionError" in failure.error
    assert failure.output.is_file()  # kept for debugging
    assert (reports / "latest").resolve() == good.run_dir.resolve()
    metrics = json.loads((bad.run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["ok"] is False


def test_parameter_refused_by_notebook_is_a_usage_failure(notebook_dir, reports):
    result = report.run(
        [notebook_dir / "02_dates.ipynb"], parameters={"as_of": "2020-02-30"}, out=reports, progress=None
    )
    assert result.invalid_parameters
    assert "parameter as_of: '2020-02-30' is not a valid date" in result.failures[0].error
    assert not (reports / "latest").exists()


def test_unknown_parameter_is_refused_before_running(notebook_dir, reports):
    with pytest.raises(report.UsageError, match=r"unknown parameter 'distrct'.*01_ok: district, alpha"):
        report.run([notebook_dir / "01_ok.ipynb"], parameters={"distrct": "x"}, out=reports)
    assert not reports.exists() or not any(reports.iterdir())


def test_each_notebook_gets_only_its_own_parameters(notebook_dir, reports):
    result = report.run(
        [notebook_dir / "01_ok.ipynb", notebook_dir / "02_dates.ipynb"],
        parameters={"alpha": 0.1, "as_of": "2020-03-01"},
        out=reports,
        progress=None,
    )
    assert result.ok
    assert result.notebooks[0].parameters == {"alpha": 0.1}
    assert result.notebooks[1].parameters == {"as_of": "2020-03-01"}


def test_missing_data_dir_and_bad_yaml_are_usage_errors(notebook_dir, reports, tmp_path):
    with pytest.raises(report.UsageError, match="data_dir: '/no/such/folder' does not exist"):
        report.run([notebook_dir / "02_dates.ipynb"], parameters={"data_dir": "/no/such/folder"}, out=reports)
    bad = tmp_path / "bad.yaml"
    bad.write_text("alpha: [0.05\n", encoding="utf-8")
    with pytest.raises(report.UsageError, match=r"bad.yaml' is not valid YAML at line 2"):
        report.run([notebook_dir / "01_ok.ipynb"], param_file=bad, out=reports)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(report.UsageError, match="must be a mapping"):
        report.run([notebook_dir / "01_ok.ipynb"], param_file=listing, out=reports)


def test_unknown_notebook_lists_available():
    with pytest.raises(report.UsageError, match=r"unknown notebook 'nope'; available: 00_source_figures"):
        report.run(["nope"])


@pytest.fixture
def two_sets(tmp_path, monkeypatch):
    """Parameter sets a (双清区) and b (北塔区, alpha 0.1) in a params folder of their own."""
    params = tmp_path / "params"
    params.mkdir()
    (params / "a.yaml").write_text("district: 双清区\n", encoding="utf-8")
    (params / "b.yaml").write_text("district: 北塔区\nalpha: 0.1\n", encoding="utf-8")
    monkeypatch.setattr(paths, "PARAMS_DIR", params)
    return ["a", "b"]


def test_sets_run_in_parallel_into_subfolders(notebook_dir, reports, two_sets):
    lines: list[str] = []
    result = report.run(
        [notebook_dir / "01_ok.ipynb"], sets=["a", "b"], jobs=2, out=reports, progress=lines.append
    )
    assert result.ok
    assert result.run_dir.name.endswith("-a+b")
    assert {nb.set_name for nb in result.notebooks} == {"a", "b"}
    assert (result.run_dir / "a" / "01_ok.html").is_file()
    b = next(nb for nb in result.notebooks if nb.set_name == "b")
    assert b.metrics["district"]["value"] == "北塔区" and b.metrics["alpha_used"]["value"] == 0.1
    assert sum(line.startswith("[") for line in lines) == 2  # one progress line per notebook
    metrics = json.loads((result.run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["notebooks"]) == {"a/01_ok", "b/01_ok"}
    with pytest.raises(report.UsageError, match="unknown parameter set 'c'; available: a, b"):
        report.run([notebook_dir / "01_ok.ipynb"], sets=["c"], out=reports)


def test_scheduler_local_runs_the_sets_on_a_local_cluster_of_jobs_workers(notebook_dir, reports, two_sets):
    lines: list[str] = []
    result = report.run(
        [notebook_dir / "01_ok.ipynb"], sets=["a", "b"], jobs=2, out=reports, progress=lines.append,
        scheduler="local",
    )  # fmt: skip
    assert result.ok and "on a Dask LocalCluster of 2 worker process(es)" in lines
    assert [nb.metrics["district"]["value"] for nb in result.notebooks] == ["双清区", "北塔区"]
    assert (result.run_dir / "b" / "01_ok.html").is_file()


def test_record_outside_ipython_checks_and_does_nothing():
    assert report.record("rate", 0.5) is None
    with pytest.raises(ValueError, match="identifier"):
        report.record("bad name", 1)
    with pytest.raises(ValueError, match="finite JSON"):
        report.record("nan_value", float("nan"))


def test_parameter_checks(tmp_path):
    assert report.check_dir("data_dir", "", default=tmp_path) == tmp_path.resolve()
    with pytest.raises(report.ParameterError, match="parameter data_dir: folder '/nope' does not exist"):
        report.check_dir("data_dir", "/nope")
    assert str(report.check_date("as_of", "2020-03-31").date()) == "2020-03-31"
    with pytest.raises(report.ParameterError, match="parameter as_of: '31/03/2020'"):
        report.check_date("as_of", "31/03/2020")
    with pytest.raises(report.ParameterError, match="unknown value '东区'; expected one of '双清区'"):
        report.check_choice("district", "东区", ["双清区"])
    assert report.check_range("alpha", "0.1", 0, 0.5) == 0.1
    with pytest.raises(report.ParameterError, match=r"parameter alpha: 0.7 is outside \(0, 0.5\)"):
        report.check_range("alpha", 0.7, 0, 0.5)


def test_cli_exit_codes(notebook_dir, reports, capsys):
    ok = str(notebook_dir / "01_ok.ipynb")
    assert cli.main(["run", ok, "--out", str(reports)]) == 0
    assert "report ready" in capsys.readouterr().out
    assert cli.main(["run", ok, "-p", "nope", "1", "--out", str(reports)]) == 2
    assert "unknown parameter 'nope'" in capsys.readouterr().err
    assert (
        cli.main(["run", str(notebook_dir / "02_dates.ipynb"), "-p", "as_of", "March", "--out", str(reports)])
        == 2
    )
    write_notebook(notebook_dir / "03_boom.ipynb", "x = 1", "raise RuntimeError('ledger missing')")
    assert cli.main(["run", str(notebook_dir / "03_boom.ipynb"), "--out", str(reports)]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: ledger missing" in err and "reports/latest left unchanged" in err
    assert cli.main(["run", "--jobs", "0"]) == 2
    assert cli.main([]) == 2


def test_command_line_values_are_read_as_the_type_the_notebook_declares(notebook_dir, reports, capfd):
    ok = str(notebook_dir / "01_ok.ipynb")
    # district = "双清区" (text): taken as written, comment sign included; alpha = 0.05: 1e-3 is a number
    code = cli.main(
        ["run", ok, "-p", "district", "北塔区 #备注", "-p", "alpha", "1e-3", "--out", str(reports)]
    )
    assert code == 0
    metrics = json.loads((reports / "latest" / "metrics.json").read_text(encoding="utf-8"))
    got = metrics["notebooks"]["01_ok"]["metrics"]
    assert got["district"]["value"] == "北塔区 #备注" and got["alpha_used"]["value"] == 0.001
    # the kernel talks over local sockets: no warning about unencrypted TCP on every start
    assert "without encryption" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1:20", "parameter alpha: '1:20' is not a number; 01_ok declares alpha = 0.05"),
        ("on", "parameter alpha: 'on' is not a number"),
        (".nan", "parameter alpha: nan is not a number"),
        ("[0.05", "parameter alpha ('[0.05') is not valid YAML"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_usage_error_before_anything_runs(
    notebook_dir, reports, capsys, value, says
):
    assert (
        cli.main(["run", str(notebook_dir / "01_ok.ipynb"), "-p", "alpha", value, "--out", str(reports)]) == 2
    )
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not reports.exists() or not any(reports.iterdir())


def test_yaml_1_2_rules_for_parameter_files(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "a: 010\nb: 1:20\nc: on\nd: no\ne: 1e-3\nf: 0o17\ng: 2020-03-31\nh: [1, 2]\n", encoding="utf-8"
    )
    assert report.read_yaml(path) == {
        "a": 10, "b": "1:20", "c": "on", "d": "no", "e": 0.001, "f": 15, "g": "2020-03-31", "h": [1, 2]
    }  # fmt: skip


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"a: &a [*a]\n", "aliases (*name) are not allowed in parameter files"),
        (b"x: &x [1]\ny: *x\n", "aliases (*name) are not allowed"),
        ("district: 北塔区\n".encode("gbk"), "is not UTF-8 text (byte 11); save it as UTF-8"),
    ],
)
def test_bad_parameter_files_are_one_line_usage_errors(
    notebook_dir, reports, tmp_path, capsys, content, says
):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    assert cli.main(["run", str(notebook_dir / "01_ok.ipynb"), "-f", str(path), "--out", str(reports)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1


def test_a_parameter_file_of_the_wrong_type_names_the_declaration(notebook_dir, reports, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("district: 110\n", encoding="utf-8")
    with pytest.raises(
        report.UsageError, match=r"parameter district: 110 is not text; 01_ok declares district = "
    ):
        report.run([notebook_dir / "01_ok.ipynb"], param_file=path, out=reports)


def test_paths_that_are_not_what_they_should_be_are_usage_errors(notebook_dir, reports, tmp_path, capsys):
    ok = str(notebook_dir / "01_ok.ipynb")
    assert cli.main(["run", ok, "-f", str(tmp_path), "--out", str(reports)]) == 2
    assert "is a folder, not a YAML file" in capsys.readouterr().err
    a_file = tmp_path / "out.txt"
    a_file.write_text("x", encoding="utf-8")
    assert cli.main(["run", ok, "--out", str(a_file)]) == 2
    assert "--out: " in capsys.readouterr().err and a_file.read_text(encoding="utf-8") == "x"
    (reports / "latest").mkdir(parents=True)
    assert cli.main(["run", ok, "--out", str(reports)]) == 2
    assert "latest' is a real folder" in capsys.readouterr().err
    assert sorted(p.name for p in reports.iterdir()) == ["latest"]  # nothing run, no .latest-PID left


def test_run_folders_started_in_the_same_second_are_distinct(tmp_path):
    first = report._runner._new_run_dir(tmp_path, "x")
    second = report._runner._new_run_dir(tmp_path, "x")
    assert first != second and first.is_dir() and second.is_dir()


def test_a_huge_parameter_value_is_shortened_where_it_is_shown(notebook_dir, reports, capsys):
    huge = "北" * 2_000_000
    assert (
        cli.main(["run", str(notebook_dir / "01_ok.ipynb"), "-p", "nope", huge, "--out", str(reports)]) == 2
    )
    err = capsys.readouterr().err
    assert len(err) < 2_000 and "(2,000,000 characters)" not in err  # the name is short: only it is shown
    result = report.run(
        [notebook_dir / "01_ok.ipynb"], parameters={"district": huge}, out=reports, progress=None
    )
    assert result.ok and result.notebooks[0].metrics["district"]["value"] == huge  # kept in full as data
    index = (result.run_dir / "index.html").read_text(encoding="utf-8")
    assert "(2,000,000 characters)" in index and index.count("北") < 1_000


def test_a_notebook_refusing_its_ledger_is_a_usage_failure(notebook_dir, reports, capsys):
    write_notebook(
        notebook_dir / "05_ledger.ipynb",
        'ledger = ""',
        "from renostats import read_ledger\nread_ledger(ledger, 'renovation')",
    )
    code = cli.main(
        ["run", str(notebook_dir / "05_ledger.ipynb"), "-p", "ledger", "/etc/passwd", "--out", str(reports)]
    )
    assert code == 2
    assert "LedgerError: passwd: unsupported file type '(none)'" in capsys.readouterr().err


def test_a_set_can_name_its_notebooks(notebook_dir, reports, tmp_path, monkeypatch):
    params = tmp_path / "params2"
    params.mkdir()
    (params / "only_dates.yaml").write_text('notebooks: ["02"]\nas_of: "2020-03-01"\n', encoding="utf-8")
    (params / "bad.yaml").write_text("notebooks: 02\n", encoding="utf-8")
    monkeypatch.setattr(paths, "PARAMS_DIR", params)
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", notebook_dir)
    result = report.run(sets=["only_dates"], out=reports, progress=None)
    assert [nb.notebook for nb in result.notebooks] == ["02_dates"]
    assert result.notebooks[0].parameters == {"as_of": "2020-03-01"}
    with pytest.raises(report.UsageError, match="'notebooks' must be a list"):
        report.run(sets=["bad"], out=reports)


def test_the_report_notebooks_refuse_bad_parameter_values(reports):
    result = report.run(["00", "04"], parameters={"district": "东区"}, out=reports, progress=None)
    # 04 analyses the district's ledger and refuses a district it does not hold; 00 is about the source
    # page and runs for any district, saying on the page that the district is not on it
    assert result.invalid_parameters and [nb.notebook for nb in result.failures] == ["04_enterprise_recovery"]
    assert "parameter district: unknown value '东区'" in result.failures[0].error
    source = next(nb for nb in result.notebooks if nb.notebook == "00_source_figures")
    assert source.status == "ok" and "东区 is not named on the source page" in source.html.read_text(
        encoding="utf-8"
    )
    with pytest.raises(report.UsageError, match="facts_dir: '/no/such/facts' does not exist"):
        report.run(["00"], parameters={"facts_dir": "/no/such/facts"}, out=reports, progress=None)
    bad_date = report.run(["04"], parameters={"as_of": "2020-02-31"}, out=reports, progress=None)
    assert "parameter as_of: '2020-02-31' is not a valid date" in bad_date.failures[0].error
    assert not (reports / "latest").exists()
