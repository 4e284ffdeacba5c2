"""Settings: defaults, then a TOML config file, then ``CALLYTICS_*`` variables, then CLI flags."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from transcription.asr import BUNDLED_MODEL

CONFIG_ENV = "CALLYTICS_CONFIG"
DEFAULT_CONFIG_FILE = "callytics.toml"
DIARIZATION_BACKENDS = ("auto", "channels", "embedded", "pyannote")
DEVICES = ("auto", "cpu", "cuda")


class ConfigError(ValueError):
    """A setting has a value callytics cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything a batch needs. Field names double as TOML keys and ``CALLYTICS_<NAME>``."""

    db: Path = Path("callytics.duckdb")
    asr_model: str = BUNDLED_MODEL
    asr_batch_size: int = 8
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
    lock_timeout_s: float = 30.0
    company_names: tuple[str, ...] = ()
    product_names: tuple[str, ...] = ()
    feature_words: tuple[str, ...] = ()
    seller_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.diarization not in DIARIZATION_BACKENDS:
            raise ConfigError(
                f"diarization must be one of {', '.join(DIARIZATION_BACKENDS)}, "
                f"not '{self.diarization}'"
            )
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {', '.join(DEVICES)}, not '{self.device}'")
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, not {self.workers}")
        if self.seller_channel is not None:
            parse_channel(self.seller_channel)

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
    if "hf_token" not in values and environ.get("HF_TOKEN"):
        values["hf_token"] = environ["HF_TOKEN"]
    return Settings.from_dict(values)


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
            if kind.startswith("tuple"):
                items = value.split(",") if isinstance(value, str) else list(value)
                out[name] = tuple(s.strip() for s in items if str(s).strip())
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
