"""Settings precedence: defaults < TOML file < CALLYTICS_* environment < CLI flags."""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import ConfigError, Settings, load_settings, parse_channel


def test_defaults_are_offline():
    settings = load_settings(environ={})
    assert settings.asr_model == "bundled:tiny.en"
    assert settings.diarization == "auto"


def test_file_then_env_then_flags(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[callytics]\nworkers = 2\ndiarization = "embedded"\n'
                   'company_names = ["Northwind"]\ndb = "x.duckdb"\n')
    env = {"CALLYTICS_CONFIG": str(cfg), "CALLYTICS_WORKERS": "3",
           "CALLYTICS_PRODUCT_NAMES": "FlowPilot, RouteMax", "HF_TOKEN": "hf_abc"}
    settings = load_settings(environ=env)
    assert settings.workers == 3
    assert settings.diarization == "embedded"
    assert settings.company_names == ("Northwind",)
    assert settings.product_names == ("FlowPilot", "RouteMax")
    assert settings.db == Path("x.duckdb")
    assert settings.hf_token == "hf_abc"
    assert "hf_abc" not in repr(settings)
    flagged = settings.with_overrides(workers=1, diarization=None)
    assert flagged.workers == 1 and flagged.diarization == "embedded"


@pytest.mark.parametrize("text,match", [
    ('workers = "many"', "invalid value"),
    ('colour = "blue"', "unknown setting"),
    ('diarization = "magic"', "diarization must be"),
    ("role_confidence_threshold = 1.5", "between 0 and 1"),
    ('device = "gpu"', "device must be one of auto, cpu, cuda"),
    ("workers = ", "not valid TOML"),
])
def test_bad_config_is_one_clear_error(tmp_path, text, match):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text + "\n")
    with pytest.raises(ConfigError, match=match):
        load_settings(cfg, environ={})


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "none.toml", environ={})


@pytest.mark.parametrize("value,expected", [("left", 0), ("RIGHT", 1), ("0", 0), (1, 1), ("", None)])
def test_seller_channel_spellings(value, expected):
    assert parse_channel(value) == expected


def test_bad_channel():
    with pytest.raises(ConfigError):
        Settings(seller_channel="middle")


def test_scorecard_targets_and_outcome_minimum(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[callytics]\ntarget_talk_ratio = [0.35, 0.5]\nmin_outcome_calls = 20\n")
    settings = load_settings(cfg, environ={"CALLYTICS_TARGET_QUESTIONS_PER_CALL": "8, 12"})
    assert settings.min_outcome_calls == 20
    assert settings.scorecard_targets["talk_ratio"] == (0.35, 0.5)
    assert settings.scorecard_targets["questions_per_call"] == (8.0, 12.0)
    assert settings.scorecard_targets["usage_share"] == (0.5, 1.0)  # the default


@pytest.mark.parametrize("text,match", [
    ("target_talk_ratio = [0.6, 0.4]", r"target_talk_ratio must be \[low, high\]"),
    ("target_talk_ratio = [0.6]", "invalid value"),
    ('target_talk_ratio = "lots"', "invalid value"),
    ("min_outcome_calls = 0", "at least 1"),
])
def test_bad_targets_are_one_clear_error(tmp_path, text, match):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[callytics]\n{text}\n")
    with pytest.raises(ConfigError, match=match):
        load_settings(cfg, environ={})
