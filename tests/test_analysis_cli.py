"""``callytics classify`` and ``callytics analyze``."""
import io
import json
from pathlib import Path

import pytest

from flows.cli import main

DATA = Path(__file__).resolve().parent / "data"


def run(argv, capsys, monkeypatch, stdin=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


PRICE_FIELDS = {"price_kind", "price_amount", "price_amount_high", "price_currency", "price_period", "price_unit"}


@pytest.mark.slow
def test_classify_arguments(capsys, monkeypatch):
    code, out, _ = run(["classify", "Wouldn't you love a dashboard that does this?", "It's $30,000 a year."], capsys, monkeypatch)
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert set(first) == {"text", "label", "confidence", "cues", "price_mention", "is_question", "push_kind",
                          "push_kind_confidence"} | PRICE_FIELDS
    assert first["label"] == "product_push" and first["is_question"] is True
    assert not first["price_mention"] and all(first[f] is None for f in PRICE_FIELDS)
    assert first["push_kind"] == "feature" and 0.5 <= first["push_kind_confidence"] <= 1.0
    assert second["price_mention"] is True
    assert (second["price_kind"], second["price_amount"], second["price_currency"], second["price_period"]) == (
        "quote", 30000.0, "USD", "year")


@pytest.mark.slow
def test_classify_gives_pitches_a_push_kind_and_other_labels_none(capsys, monkeypatch):
    lines = "So on Monday your analysts would just approve the exceptions.\nWe support SSO, SAML and SCIM out of the box.\nokay\n"
    code, out, _ = run(["classify"], capsys, monkeypatch, stdin=lines)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["label"], r["push_kind"]) for r in rows] == [
        ("product_push", "usage"), ("product_push", "feature"), ("other", None)]
    assert rows[2]["push_kind_confidence"] is None


@pytest.mark.slow
def test_classify_encodes_each_distinct_line_once(capsys, monkeypatch):
    from analysis.embedding import SentenceEncoder, load_encoder
    from analysis.text import normalize

    lines = ["How many people use the tool today?", "It's $30,000 a year.", "Our dashboards export to Excel.",
             "how many people use the tool today", "Wouldn't you love a dashboard that does this?"]
    load_encoder().encode([])  # loaded before counting
    encoded: list[int] = []
    real = SentenceEncoder._encode_batch
    monkeypatch.setattr(SentenceEncoder, "_encode_batch", lambda self, ids: encoded.append(len(ids)) or real(self, ids))
    load_encoder()._memo.clear()
    code, out, _ = run(["classify"], capsys, monkeypatch, stdin="\n".join(lines))
    assert code == 0 and len(out.splitlines()) == len(lines)
    assert sum(encoded) == len({normalize(line) for line in lines})


@pytest.mark.slow
def test_classify_reads_the_speakers_role_for_price(capsys, monkeypatch):
    line = "A family ticket to the farm park is thirty eight pounds and it's our busiest line."
    code, out, _ = run(["classify", "--role", "buyer", line], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["price_mention"] is False
    code, out, _ = run(["classify", "--role", "seller", "For three shops you'd be at two hundred and ten a month."],
                       capsys, monkeypatch)
    assert code == 0 and (json.loads(out)["price_kind"], json.loads(out)["price_amount"]) == ("quote", 210)


def test_classify_refuses_an_unknown_role(capsys, monkeypatch):
    code, _, err = run(["classify", "--role", "manager", "hello"], capsys, monkeypatch)
    assert code == 2 and "manager" in err


@pytest.mark.slow
def test_classify_stdin_lines(capsys, monkeypatch):
    code, out, _ = run(["classify"], capsys, monkeypatch, stdin="okay\n\nhow do you plan inventory today\n")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["label"] for r in rows] == ["other", "discovery"]


@pytest.mark.slow
def test_analyze_prints_metrics(capsys, monkeypatch):
    code, out, _ = run(["analyze", str(DATA / "analysis_call.json"), "--company", "Northwind"], capsys, monkeypatch)
    assert code == 0
    metrics = json.loads(out)
    assert metrics["first_price_by"] == "buyer" and metrics["n_speakers"] == 2


@pytest.mark.slow
def test_analyze_details(capsys, monkeypatch):
    code, out, _ = run(["analyze", str(DATA / "analysis_whisperx.json"), "--details"], capsys, monkeypatch)
    assert code == 0
    doc = json.loads(out)
    assert doc["role_method"] == "transcript" and doc["utterances"][0]["role"] == "seller"
    assert doc["roles_uncertain"] is False
    assert [line.split(":")[0] for line in doc["role_evidence"]] == list(doc["roles"])
    assert doc["price_mentions"][0]["amount"] == 25000.0


@pytest.mark.parametrize("content,needle", [("{oops", "not valid JSON"), ('{"x": 1}', "'utterances' or 'segments'")])
def test_analyze_bad_input_is_one_line(tmp_path, capsys, monkeypatch, content, needle):
    p = tmp_path / "bad.json"
    p.write_text(content)
    code, out, err = run(["analyze", str(p)], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_analyze_missing_file(capsys, monkeypatch):
    code, _, err = run(["analyze", "/nonexistent/t.json"], capsys, monkeypatch)
    assert code == 1 and "no such file" in err
