"""The signals that stop a command, SIGTERM and SIGINT (Ctrl+C), remembered once received.

A library may catch the exception a signal raises and raise another one instead (Prefect does,
around task runs). The command still ends as stopped, and a batch still records itself
interrupted, because they ask ``stop_signal()`` rather than trusting the exception they see.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# signal -> (the word the command ends with, its exit code)
STOP_REPORTS = {signal.SIGTERM: ("terminated", 143), signal.SIGINT: ("interrupted", 130)}


class Terminated(BaseException):
    """SIGTERM arrived: the command stops as on Ctrl+C."""


_received: list[int] = []


def stop_signal() -> int | None:
    """The last stop signal this process received, if any."""
    return _received[-1] if _received else None


@contextmanager
def stop_signals() -> Iterator[None]:
    """Remember SIGTERM and SIGINT while the block (one command) runs; they raise ``Terminated``
    and ``KeyboardInterrupt`` as before."""
    _received.clear()
    previous = {signum: signal.signal(signum, _on_signal) for signum in STOP_REPORTS}
    previous_hook = sys.unraisablehook

    def deliver_again(unraisable) -> None:
        # A signal that lands in a finaliser or weakref callback cannot stop anything there
        # (Python would print "Exception ignored" and go on): send it again, once this returns.
        if isinstance(unraisable.exc_value, (KeyboardInterrupt, Terminated)) and _received:
            threading.Timer(0.05, os.kill, (os.getpid(), _received[-1])).start()
        else:
            previous_hook(unraisable)

    sys.unraisablehook = deliver_again
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _on_signal(signum: int, frame) -> None:
    _received.append(signum)
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()
