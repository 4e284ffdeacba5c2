# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian/Ubuntu packages the tests use: espeak-ng and sox render calls, ffmpeg's shared libraries
# load pyannote.audio's torchcodec, chromium checks the dashboard. `make test` installs the missing
# ones itself when it can (root or passwordless sudo), else stops with one line naming them.
DEBIAN_PACKAGES := espeak-ng sox libsox-fmt-all ffmpeg chromium

.PHONY: demo test test-fast bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m analysis.embedding_export  # the sentence and price encoders' ONNX graphs, into the model cache
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/callytics demo --out demo

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

# The unit tests: no models loaded, no processes started (under a minute).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

system-deps:
	@sh scripts/system-deps.sh $(DEBIAN_PACKAGES)

clean:
	rm -rf $(VENV) demo .pytest_cache
