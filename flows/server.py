"""The Prefect API a batch reports to: a configured server, or one served from this process.

Without ``PREFECT_API_URL``, Prefect would start a temporary server as a separate process, which
outlives a killed parent and cannot run schedules. callytics instead serves the API from a thread
of its own process, so it ends when the command ends, however it ends (``kill -9`` included).
``callytics run`` serves it without the UI for the length of one batch; ``callytics serve``
serves it with the UI, the scheduler and a state folder of its own for as long as it runs.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.config import ConfigError

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))
DRAIN_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class PrefectApi:
    """Where the API is (``url`` is also the UI's address when it has one)."""

    url: str
    served_here: bool
    home: Path | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def configured_api_url() -> str | None:
    """``PREFECT_API_URL`` from the environment or the active Prefect profile."""
    from prefect.settings import get_current_settings

    return os.environ.get("PREFECT_API_URL") or get_current_settings().api.url


@contextmanager
def prefect_api(*, ui: bool = False, home: Path | None = None, port: int = 0) -> Iterator[PrefectApi]:
    """Use the configured Prefect API, or serve one from this process until the block ends.

    ``ui`` serves the web UI and runs every server service (the scheduler included), with its
    state under ``home``; without it, only what one batch needs runs, with Prefect's default
    state folder. ``port`` 0 picks a free port.
    """
    configured = configured_api_url()
    if configured:
        _check_reachable(configured)
        yield PrefectApi(url=configured.removesuffix("/").removesuffix("/api"), served_here=False)
        return
    listener = _listen(port)
    url = f"http://{HOST}:{listener.getsockname()[1]}"
    server = _Server(listener, ui=ui, home=home)
    server.start()
    try:
        server.wait_until_ready()
        with _using_api(f"{url}/api"):
            try:
                yield PrefectApi(url=url, served_here=True, home=home)
            finally:  # a batch that ends in an error has logs queued for this API too
                _drain_client_workers()
    finally:
        server.stop()


class _Server:
    """uvicorn running Prefect's API app on a daemon thread."""

    def __init__(self, listener: socket.socket, *, ui: bool, home: Path | None):
        self.listener = listener
        self.ui = ui
        self.home = home
        self.failure: BaseException | None = None
        self._uvicorn = None
        self._thread = threading.Thread(target=self._run, name="prefect-api", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._uvicorn is not None and self._uvicorn.started:
                return
            if not self._thread.is_alive():
                reason = f": {self.failure}" if self.failure else ""
                raise ConfigError(f"the Prefect API server did not start{reason}")
            time.sleep(0.05)
        raise ConfigError(f"the Prefect API server did not start within {STARTUP_TIMEOUT_S:g} s")

    def stop(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        self._thread.join(DRAIN_TIMEOUT_S)
        self.listener.close()

    def _run(self) -> None:
        try:
            import uvicorn
            from prefect.server.api.server import create_app
            from prefect.settings import temporary_settings

            with temporary_settings(updates=self._settings()):
                app = create_app(final=True, ephemeral=not self.ui, ignore_cache=True)
                self._uvicorn = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="on"))
                self._uvicorn.run(sockets=[self.listener])
        except BaseException as exc:  # reported by wait_until_ready in the caller's thread
            self.failure = exc

    def _settings(self) -> dict:
        import prefect.settings as ps

        port = self.listener.getsockname()[1]
        updates = {ps.PREFECT_SERVER_API_HOST: HOST, ps.PREFECT_SERVER_API_PORT: port,
                   ps.PREFECT_UI_ENABLED: self.ui, ps.PREFECT_UI_API_URL: f"http://{HOST}:{port}/api"}
        if not self.ui:
            # A batch uses no blocks. Memoised registration would import every installed Prefect
            # collection (prefect-dask loads Dask's distributed: ~0.5 s of CPU) just to hash them.
            # Automations need a server that outlives the batch; starting their services (triggers
            # and actions) only to stop them cost about 1 s of CPU.
            updates |= {ps.PREFECT_API_BLOCKS_REGISTER_ON_START: False,
                        ps.PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION: False,
                        ps.PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED: False}
        if self.home is not None:
            self.home.mkdir(parents=True, exist_ok=True)
            updates[ps.PREFECT_HOME] = str(self.home)
            updates[ps.PREFECT_API_DATABASE_CONNECTION_URL] = f"sqlite+aiosqlite:///{self.home / 'prefect.db'}"
        return updates


@contextmanager
def _using_api(api_url: str) -> Iterator[None]:
    """Point this process, and any process it starts, at ``api_url``."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


def _drain_client_workers() -> None:
    """Deliver the logs and events still queued for the API before it goes away."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=DRAIN_TIMEOUT_S)


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as exc:
        listener.close()
        raise ConfigError(f"cannot serve the Prefect API on {HOST}:{port}: {exc.strerror}; "
                          "choose another --port, or set PREFECT_API_URL to use a running server") from None
    listener.listen(128)
    return listener


def _check_reachable(url: str) -> None:
    import httpx

    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(f"the Prefect API at {url} (PREFECT_API_URL) is not reachable: "
                          f"{' '.join(str(exc).split()) or type(exc).__name__}") from None
