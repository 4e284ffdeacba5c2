"""One stored format for the logistic heads: what is saved loads back, a stale or missing file is refused."""
import numpy as np
import pytest

from analysis.errors import AnalysisError
from analysis.heads import load_head, save_head
from analysis.price import HEAD_PATH as PRICE_HEAD, FEATURE_NAMES as PRICE_FEATURES


def test_a_saved_head_loads_back_with_its_extras(tmp_path):
    path = tmp_path / "head.npz"
    weights = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    save_head(path, weights=weights, bias=np.array([0.5, -0.5]), feature_names=("a", "b", "c"), c=4.0,
              classes=np.array(["x", "y"]), threshold=np.float32(0.45))
    head = load_head(path, ("a", "b", "c"), "test head", "analysis.train_test")
    assert head["weights"].dtype == np.float32 and np.allclose(head["weights"], weights)
    assert head["bias"].tolist() == [0.5, -0.5] and float(head["c"]) == 4.0
    assert head["classes"].tolist() == ["x", "y"] and float(head["threshold"]) == pytest.approx(0.45)


def test_a_head_trained_on_other_features_or_missing_is_refused_with_the_command_that_trains_it(tmp_path):
    save_head(tmp_path / "head.npz", weights=np.zeros((1, 2)), bias=0.0, feature_names=("a", "b"), c=1.0)
    with pytest.raises(AnalysisError, match="test head trained on other features; retrain with python -m analysis.train_test"):
        load_head(tmp_path / "head.npz", ("a", "c"), "test head", "analysis.train_test")
    with pytest.raises(AnalysisError, match="test head weights missing; run python -m analysis.train_test"):
        load_head(tmp_path / "missing.npz", ("a", "b"), "test head", "analysis.train_test")


def test_the_committed_price_head_is_in_the_shared_format():
    head = load_head(PRICE_HEAD, PRICE_FEATURES, "price detector", "analysis.train_price")
    assert head["weights"].shape == (len(head["classes"]), head["weights"].shape[1])
    assert {"weights", "bias", "feature_names", "c", "classes", "threshold"} <= set(head)
