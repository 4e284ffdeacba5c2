"""The example archive's ground truth (written independently of the classifier) read as text."""
import json
from pathlib import Path

import pytest

from analysis import AnalysisConfig, analyze_call
from analysis.labelled_data import score
from transcription.types import Utterance

pytestmark = pytest.mark.slow  # loads the sentence encoder

TRUTH = sorted((Path(__file__).resolve().parents[1] / "examples" / "truth").glob("*.truth.json"))


def _analyse(path, config):
    doc = json.loads(path.read_text())
    # Anonymise the speakers so the truth's "seller"/"buyer" names give nothing away.
    alias = {}
    utts = [Utterance(alias.setdefault(t["speaker"], f"SPEAKER_{len(alias):02d}"), t["start"], t["end"], t["text"])
            for t in doc["turns"]]
    truth_roles = {a: role for role, a in alias.items()}
    return doc, truth_roles, analyze_call(utts, duration_s=doc["duration_s"], config=config)


@pytest.mark.parametrize("config", [AnalysisConfig(), AnalysisConfig(company_names=("Northwind",))], ids=["no-config", "company"])
def test_roles_labels_and_prices_match_the_truth(config):
    assert len(TRUTH) >= 5, "examples/truth/*.truth.json are missing"
    truth_labels, predicted, kinds = [], [], []
    for path in TRUTH:
        doc, truth_roles, result = _analyse(path, config)
        assert result.roles.roles == truth_roles, path.name
        for turn, utt in zip(doc["turns"], result.utterances):
            assert utt.price_mention == turn["price_mention"], (path.name, turn["text"])
            assert (utt.push_kind is not None) == (utt.label == "product_push"), (path.name, turn["text"])
            if turn["speaker"] == "seller":
                truth_labels.append(turn["label"])
                predicted.append(utt.label)
            if turn["label"] == "product_push":
                kinds.append((turn["push_kind"], utt.push_kind))
    # Measured 0.975 (one agenda line read as discovery).
    assert score(truth_labels, predicted).macro_f1 >= 0.9
    # Every pitch of the archive (10 feature, 1 usage) is labelled a pitch. Push kinds measured 10 of 11
    # (Meridian's "reads those emails ... routes each claim to an adjuster" read as usage).
    assert len(kinds) == 11 and ("usage", "usage") in kinds
    assert sum(truth == kind for truth, kind in kinds) >= 10
