# renostats: two commands on a fresh machine, `make reports` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
EXTRAS ?= test,dev
NBVAL := --nbval --nbval-kernel-name renostats --nbval-sanitize-with tests/nbval_sanitize.cfg

.DEFAULT_GOAL := help
.PHONY: help reports test test-browser lab lint format notebooks data bench clean-venv

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The environment: made when missing, refreshed when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	$(PY) -m ipykernel install --sys-prefix --name renostats --display-name "Python (renostats)" >/dev/null
	@touch $(STAMP)

reports: $(STAMP)  ## run every notebook on the bundled data into reports/<timestamp>/
	$(VENV)/bin/renostats run
	@echo "open $(CURDIR)/reports/latest/index.html"

test: $(STAMP)  ## unit tests and the notebooks as tested documentation (nbval)
	$(PY) -m pytest --doctest-modules --doctest-glob=README.md src/renostats README.md tests notebooks $(NBVAL) \
	  --ignore=tests/browser

test-browser: $(STAMP)  ## open every page of fresh en/zh report runs in headless Chromium (needs apt-get install chromium)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS),browser]"
	@test -x "$${RENOSTATS_CHROMIUM:-/usr/bin/chromium}" || (echo "no Chromium: run 'apt-get install chromium' as root" && exit 2)
	$(PY) -m pytest -p no:cacheprovider tests/browser -s

LAB_ARGS ?=
lab: $(STAMP)  ## JupyterLab on notebooks/ (extra options: make lab LAB_ARGS="--no-browser --port 8899")
	$(PY) -m pip install --quiet -e ".[$(EXTRAS),lab]"
	$(PY) -c "from renostats.plotting import install_lab_font; install_lab_font('$(VENV)/jupyter-config')"
	JUPYTER_CONFIG_DIR=$(VENV)/jupyter-config $(VENV)/bin/jupyter lab --notebook-dir=notebooks --LabApp.custom_css=True \
	  $$(test "$$(id -u)" = 0 && echo --allow-root) $(LAB_ARGS)

lint: $(STAMP)  ## ruff check and format check
	$(VENV)/bin/ruff check src tests benchmarks tools notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks tools

format: $(STAMP)  ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix src tests benchmarks tools
	$(VENV)/bin/ruff format src tests benchmarks tools

notebooks: $(STAMP)  ## re-execute the committed notebooks in place after editing them
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=renostats --ExecutePreprocessor.record_timing=False \
	  notebooks/[0-9][0-9]_*.ipynb

data: $(STAMP)  ## regenerate the synthetic demo ledgers and the Excel templates (byte-identical)
	$(PY) -m renostats.datasets

bench: $(STAMP)  ## run the benchmarks (slow; installs the peers; prints ratios against them)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS),bench]"
	@# lifelines needs pandas < 3, so it gets an environment of its own
	@test -x .venv-lifelines/bin/python || ($(PYTHON) -m venv .venv-lifelines && .venv-lifelines/bin/pip install --quiet lifelines)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

.PHONY: mutation
MODULE ?= units ledger recovery renovation funding did
N ?= 40
SEED ?= 0
mutation: $(STAMP)  ## mutation score per module, N sampled mutants (slow; MODULE=units for one; not in make test)
	nice -n 10 $(PY) tools/mutation.py $(MODULE) -n $(N) --seed $(SEED)

clean-venv:  ## remove the environment
	rm -rf $(VENV)
