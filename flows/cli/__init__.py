"""``callytics`` command line. Each module registers its commands on ``app``."""
from flows.cli import run  # noqa: F401  (registers commands)
from flows.cli.app import app, main
from flows.cli import analysis  # noqa: F401  (registers classify, analyze)

__all__ = ["app", "main"]
