"""Loading the CLI (``callytics --help``, ``--version``, the parsing of every command) imports no
heavy library: each command imports what it uses when it runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("numpy", "av", "onnxruntime", "ctranslate2", "faster_whisper", "tokenizers", "duckdb",
         "pyarrow", "pandas", "prefect", "torch", "sklearn", "scipy", "price_parser")


def loaded_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=120, check=True)
    return [name for name in json.loads(done.stdout.splitlines()[-1]) if name in HEAVY]


def test_loading_the_cli_imports_no_heavy_library():
    assert loaded_after("import flows.cli") == []


def test_version_imports_no_heavy_library():
    code = "from flows.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code) == []


def test_package_names_still_load_on_first_use():
    code = "import analysis, transcription.diarization as d\nanalysis.classify_text\nd.EmbeddedDiarizer"
    assert {"numpy", "price_parser"} <= set(loaded_after(code))
