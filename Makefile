# The two commands a new user runs.  Each creates .venv (if missing) and installs the project first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint lab bench bench-montecarlo bench-national bench-optimize clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job: the academic medical center on-prem (baseline), all in the cloud, and hybrid.
demo: $(STAMP)
	$(BIN)/archive-sim compare scenarios/academic-medical-center-onprem.yaml \
		scenarios/academic-medical-center-cloud.yaml \
		scenarios/academic-medical-center-hybrid.yaml --baseline onprem --out out/report

# The type checker (mypy on sim/, settings in pyproject.toml), then the whole suite on one
# process per core, up to four (pytest-xdist; a test file's tests stay on one process, so its
# module fixtures are built once).
test: $(STAMP)
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --maxprocesses=4 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .

# JupyterLab in the project's environment, opened on the notebooks (Ctrl-C to stop).
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet 'jupyterlab>=4'
	cd notebooks && ../$(BIN)/jupyter lab

bench: $(STAMP)
	$(BIN)/python benchmarks/ledger_fingerprints.py
	$(BIN)/python benchmarks/bench_workload.py
	$(BIN)/python benchmarks/bench_workload.py scenarios/academic-medical-center-s3-intelligent-tiering.yaml
	$(BIN)/python benchmarks/bench_workload.py scenarios/academic-medical-center-s3-intelligent-tiering.yaml --cohorts 3
	$(BIN)/python benchmarks/bench_engine_vs_naive.py
	$(BIN)/python benchmarks/bench_whatif.py --runs 1

# Long benchmarks (on 2 cores: Monte Carlo about 3 minutes, national about 2).
bench-montecarlo: $(STAMP)
	cd benchmarks && ../$(BIN)/python bench_montecarlo.py --runs 100 --jobs 2

bench-national: $(STAMP)
	cd benchmarks && ../$(BIN)/python bench_national.py --jobs 2

# 100 candidate policies of the academic medical center's S3 tiered variant, at full size.
bench-optimize: $(STAMP)
	cd benchmarks && ../$(BIN)/python bench_optimize.py --budget 100 --jobs 2

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .mypy_cache
