"""Settings: defaults, then a TOML config file, then ``CALLYTICS_*`` variables, then CLI flags."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transcription.diarization.factory import check_backend
from transcription.errors import DiarizationError
from transcription.runtime import BUNDLED_MODEL
from warehouse.targets import DEFAULT_TARGETS

CONFIG_ENV = "CALLYTICS_CONFIG"
DEVICES = ("auto", "cpu", "cuda")
DEFAULT_CONFIG_FILE = "callytics.toml"


class ConfigError(ValueError):
    """A setting has a value callytics cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything a batch needs. Field names double as TOML keys and ``CALLYTICS_<NAME>``."""

    db: Path = Path("callytics.duckdb")
    asr_model: str = BUNDLED_MODEL
    asr_batch_size: int = 0  # 0: 2 on the CPU, 8 on a GPU
    asr_beam_size: int = 5
    language: str | None = None
    device: str = "auto"
    cpu_threads: int = 0
    diarization: str = "auto"
    pyannote_pipeline: str | None = None
    hf_token: str | None = field(default=None, repr=False)
    seller_channel: str | None = None
    voices_dir: Path | None = None
    workers: int = 1
    dask_address: str | None = None
    lock_timeout_s: float = 300.0
    prefect_home: Path | None = None
    company_names: tuple[str, ...] = ()
    product_names: tuple[str, ...] = ()
    feature_words: tuple[str, ...] = ()
    seller_names: tuple[str, ...] = ()
    role_confidence_threshold: float = 0.8
    redact_pii: bool = True
    report_timezone: str = "UTC"
    # Dashboard: won versus lost needs this many closed calls with and without a behaviour;
    # the scorecard marks each seller's figure against a [low, high] target band
    # (defaults and their reasons: warehouse.targets).
    min_outcome_calls: int = 10
    target_talk_ratio: tuple[float, float] = DEFAULT_TARGETS["talk_ratio"]
    target_discovery_share: tuple[float, float] = DEFAULT_TARGETS["discovery_share"]
    target_usage_share: tuple[float, float] = DEFAULT_TARGETS["usage_share"]
    target_pitch_first_rate: tuple[float, float] = DEFAULT_TARGETS["pitch_first_rate"]
    target_seller_price_first_rate: tuple[float, float] = DEFAULT_TARGETS["seller_price_first_rate"]
    target_questions_per_call: tuple[float, float] = DEFAULT_TARGETS["questions_per_call"]
    target_longest_monologue_s: tuple[float, float] = DEFAULT_TARGETS["longest_monologue_s"]

    def __post_init__(self) -> None:
        try:
            check_backend(self.diarization)
        except DiarizationError as exc:
            raise ConfigError(str(exc)) from None
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {', '.join(DEVICES)}, not '{self.device}'")
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, not {self.workers}")
        if self.seller_channel is not None:
            parse_channel(self.seller_channel)
        try:
            ZoneInfo(self.report_timezone)
        except (TypeError, ValueError, ZoneInfoNotFoundError):
            raise ConfigError(f"report_timezone '{self.report_timezone}' is not a time zone "
                              "(use an IANA name such as America/Los_Angeles)") from None
        if not 0.0 <= self.role_confidence_threshold <= 1.0:
            raise ConfigError(
                f"role_confidence_threshold must be between 0 and 1, not {self.role_confidence_threshold}"
            )
        if self.min_outcome_calls < 1:
            raise ConfigError(f"min_outcome_calls must be at least 1, not {self.min_outcome_calls}")
        for name, (low, high) in self.scorecard_targets.items():
            if low > high:
                raise ConfigError(f"target_{name} must be [low, high], not [{low}, {high}]")

    @property
    def scorecard_targets(self) -> dict[str, tuple[float, float]]:
        """Scorecard metric -> its target band, from the ``target_<metric>`` settings."""
        return {f.name.removeprefix("target_"): getattr(self, f.name)
                for f in fields(self) if f.name.startswith("target_")}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Settings":
        """Build from plain JSON values (a deployment's parameters, a TOML table)."""
        return cls(**_coerce(values))

    def to_dict(self, *, with_secrets: bool = False) -> dict[str, Any]:
        """Plain JSON values, e.g. for a scheduled deployment's parameters."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "hf_token" and not with_secrets:
                value = None
            out[f.name] = (str(value) if isinstance(value, Path)
                           else list(value) if isinstance(value, tuple) else value)
        return out

    @property
    def report_zone(self) -> ZoneInfo:
        """The zone of ``report_timezone``: local days and weeks, and naive manifest times."""
        return ZoneInfo(self.report_timezone)

    def with_overrides(self, **overrides: Any) -> "Settings":
        """Apply CLI flags; ``None`` means the flag was not given."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **_coerce(given)) if given else self


def parse_channel(value: str | int | None) -> int | None:
    """``left``/``0`` -> 0, ``right``/``1`` -> 1; empty -> None."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().lower()
    if text in ("left", "l", "0"):
        return 0
    if text in ("right", "r", "1"):
        return 1
    raise ConfigError(f"seller_channel must be left, right, 0 or 1, not '{value}'")


def load_settings(config_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults < config file (``--config``, ``$CALLYTICS_CONFIG`` or ./callytics.toml) < env."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = config_file or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = Path(DEFAULT_CONFIG_FILE)
    if path is not None:
        values.update(_read_toml(path))
    known = {f.name for f in fields(Settings)}
    for name in known:
        env_value = environ.get(f"CALLYTICS_{name.upper()}")
        if env_value is not None:
            values[name] = env_value
    return with_environment_secrets(Settings.from_dict(values), environ)


def with_environment_secrets(settings: Settings, environ: dict[str, str] | None = None) -> Settings:
    """Fill secrets the settings lack from the environment (``HF_TOKEN`` for the pyannote hub).

    Secrets never travel in a deployment's parameters (``to_dict`` drops them), so a flow run
    picks them up from its worker's environment here.
    """
    environ = os.environ if environ is None else environ
    if settings.hf_token is None and environ.get("HF_TOKEN"):
        return replace(settings, hf_token=environ["HF_TOKEN"])
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    section = data.get("callytics", data)
    unknown = set(section) - {f.name for f in fields(Settings)}
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(sorted(unknown))}")
    return section


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = types[name]
        try:
            if kind == "tuple[float, float]":
                items = value.split(",") if isinstance(value, str) else list(value)
                low, high = (float(item) for item in items)
                out[name] = (low, high)
            elif kind.startswith("tuple"):
                items = value.split(",") if isinstance(value, str) else list(value)
                out[name] = tuple(s.strip() for s in items if str(s).strip())
            elif kind.startswith("bool"):
                out[name] = _boolean(value)
            elif kind.startswith("int"):
                out[name] = int(value)
            elif kind.startswith("float"):
                out[name] = float(value)
            elif kind.startswith("Path"):
                out[name] = Path(value) if value not in (None, "") else None
            else:
                out[name] = None if value == "" else str(value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name} has an invalid value '{value}'") from None
    return out


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)
