"""Terminal progress for a batch: calls done of total, audio hours, ETA. Off when not a TTY."""
from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class BatchProgress:
    def __init__(self, total: int, enabled: bool):
        self._audio_s = 0.0
        self._failed = 0
        self._progress = None
        if enabled and total:
            self._progress = Progress(
                TextColumn("[bold]calls"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[audio]} audio h, {task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=False,
            )
            self._task = self._progress.add_task("calls", total=total, audio="0.00", failed=0)

    def __enter__(self) -> "BatchProgress":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, outcome) -> None:
        self._audio_s += outcome.record.duration_s or 0.0
        self._failed += 0 if outcome.ok else 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1, audio=f"{self._audio_s / 3600:.2f}",
                                  failed=self._failed)
