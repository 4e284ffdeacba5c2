"""``callytics`` command line. Each module registers its commands on ``app``."""
from flows.cli import run  # noqa: F401  (registers commands)
from flows.cli import transcribe  # noqa: F401  (registers commands)
from flows.cli.app import app, main

__all__ = ["app", "main"]
