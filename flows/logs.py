"""callytics' own warnings in the Prefect run's log, where the UI and alerts can see them."""
from __future__ import annotations

import logging

LIBRARY_LOGGERS = ("flows", "transcription", "analysis", "warehouse")


def forward_warnings_to_prefect() -> None:
    """Send warnings of the callytics packages to the current Prefect run's log (idempotent;
    called in every process that runs a flow or a task, Dask workers included)."""
    from prefect.logging.handlers import APILogHandler

    for name in LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if not any(isinstance(h, APILogHandler) for h in library_logger.handlers):
            handler = APILogHandler()
            handler.setLevel(logging.WARNING)
            library_logger.addHandler(handler)
        if library_logger.level == logging.NOTSET or library_logger.level > logging.WARNING:
            library_logger.setLevel(logging.WARNING)
