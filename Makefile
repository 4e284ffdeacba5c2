# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m analysis.embedding_export  # the sentence encoder's ONNX graph, into the model cache
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/callytics demo --out demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

# Debian/Ubuntu packages the tests use (espeak-ng and sox render calls, ffmpeg's shared
# libraries load pyannote.audio's torchcodec, chromium checks the dashboard). Needs root.
system-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		espeak-ng sox libsox-fmt-all ffmpeg chromium

clean:
	rm -rf $(VENV) demo .pytest_cache
