"""Garbage in, one line out: no input makes any command print a traceback."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main

REPO = Path(__file__).resolve().parents[1]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 1, err
    assert err.startswith("callytics: error: ") and err.count("\n") == 1, err


@pytest.mark.parametrize("document", [
    '{"segments": [null, 5, "x"]}',
    '{"utterances": [null, 5]}',
    '{"utterances": [{"speaker": "A", "start": "soon", "end": 1, "text": "hi"}]}',
    '{"segments": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"segments": [], "duration": {"a": 1}}',
    "[1, 2, 3]",
    "\"just a string\"",
])
def test_analyze_reports_malformed_transcripts_in_one_line(capsys, tmp_path, document):
    path = tmp_path / "t.json"
    path.write_text(document)
    code, _, err = run_cli(capsys, "analyze", str(path))
    assert_one_line_error(code, err)
    assert str(path) in err


@pytest.mark.slow  # well-formed documents load the sentence encoder
def test_analyze_never_crashes_on_random_json(capsys, tmp_path):
    rng = random.Random(13)

    def value(depth: int):
        kinds = ["null", "int", "float", "str", "list", "dict"] if depth < 4 else ["int", "str"]
        kind = rng.choice(kinds)
        if kind == "list":
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        if kind == "dict":
            keys = ["start", "end", "text", "speaker", "words", "segments", "utterances", "x"]
            return {rng.choice(keys): value(depth + 1) for _ in range(rng.randrange(5))}
        return {"null": None, "int": rng.randrange(-5, 50), "float": rng.uniform(-1, 60),
                "str": rng.choice(["", "hi there", "A", "12"])}[kind]

    path = tmp_path / "t.json"
    for _ in range(200):
        path.write_text(json.dumps({rng.choice(["segments", "utterances"]): value(0)}))
        code, _, err = run_cli(capsys, "analyze", str(path))
        assert code in (0, 1) and "Traceback" not in err
        if code == 1:
            assert_one_line_error(code, err)


@pytest.mark.slow
def test_classify_refuses_stdin_that_is_not_utf8():
    garbage = random.Random(7).randbytes(4000)
    result = subprocess.run([sys.executable, "-m", "flows", "classify"], input=garbage,
                            capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300)
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode() == "callytics: error: standard input is not UTF-8 text\n"


def test_an_unexpected_error_is_still_one_line(capsys, monkeypatch, tmp_path):
    import analysis

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(analysis, "load_transcript", broken)
    (tmp_path / "t.json").write_text("{}")
    code, _, err = run_cli(capsys, "analyze", str(tmp_path / "t.json"))
    assert_one_line_error(code, err)
    assert "ZeroDivisionError" in err
