"""``callytics`` command line. Each module registers its commands on ``app``."""
from flows.cli import analysis, run, transcribe, warehouse  # noqa: F401  (register commands)
from flows.cli.app import app, main

__all__ = ["app", "main"]
