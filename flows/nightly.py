"""The nightly batch: discover calls, skip what is done, process the rest, write as they finish."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.archive import CallSource, discover_calls, file_sha256
from flows.config import ConfigError, Settings, with_environment_secrets
from flows.lock import run_lock
from flows.process import (
    CallOutcome,
    call_record,
    failed_outcome,
    pipeline_version,
    processor_for,
)
from flows.progress import BatchProgress
from warehouse import Warehouse

@dataclass(frozen=True)
class RunSummary:
    run_id: str
    archive: str
    db: str
    discovered: int
    processed: int
    skipped: int
    failed: int
    audio_s: float
    wall_s: float
    problems: tuple[str, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()

    def serialize(self) -> dict[str, Any]:
        """Plain JSON values (``callytics run --json``)."""
        return asdict(self) | {
            "problems": list(self.problems),
            "failures": [{"call_id": call_id, "error": error} for call_id, error in self.failures],
        }

    def to_markdown(self) -> str:
        lines = [
            f"# callytics run `{self.run_id}`",
            "",
            f"Archive `{self.archive}` into `{self.db}`.",
            "",
            "| discovered | processed | skipped | failed | audio hours | wall time (s) |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| {self.discovered} | {self.processed} | {self.skipped} | {self.failed} "
            f"| {self.audio_s / 3600:.2f} | {self.wall_s:.1f} |",
        ]
        if self.failures:
            lines += ["", "## Failed calls", "", "| call | error |", "|---|---|"]
            lines += [f"| `{cid}` | {err.replace('|', '/')} |" for cid, err in self.failures]
        if self.problems:
            lines += ["", "## Archive problems", ""] + [f"- {p}" for p in self.problems]
        return "\n".join(lines) + "\n"


def _retry_on_io_error(task, task_run, state) -> bool:
    """Retry only transient I/O trouble; a bad file fails the same way every time."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_retry_on_io_error,
      cache_policy=NO_CACHE, task_run_name="sha256 {source.call_id}")
def fingerprint(source: CallSource) -> str:
    return file_sha256(source.path)


@task(cache_policy=NO_CACHE, task_run_name="process {source.call_id}")
def process_call(source: CallSource, sha256: str, settings: Settings, run_id: str) -> CallOutcome:
    return processor_for(settings).process(source, sha256, run_id)


@flow(name="callytics-nightly", task_runner=ThreadPoolTaskRunner(max_workers=1),
      validate_parameters=False)
def nightly(
    archive: Path,
    settings: Settings | dict,
    limit: int | None = None,
    reprocess: bool = False,
    show_progress: bool = False,
) -> RunSummary:
    """Process every new or changed call under ``archive`` into ``settings.db``."""
    started = time.monotonic()
    archive = Path(archive).resolve()
    if isinstance(settings, dict):  # a scheduled deployment passes JSON parameters
        settings = Settings.from_dict(settings)
    settings = with_environment_secrets(settings)
    run_id = uuid.uuid4().hex[:12]
    version = pipeline_version(settings)
    discovery = discover_calls(archive)
    run_logger = get_run_logger()
    for problem in discovery.problems:
        run_logger.warning("%s", problem)
    with run_lock(settings.db):
        warehouse = Warehouse(settings.db, lock_timeout_s=settings.lock_timeout_s)
        warehouse.fail_abandoned_runs("interrupted: the batch process ended before finishing")
        warehouse.start_run(run_id, started_at=datetime.now(timezone.utc), archive=str(archive),
                            pipeline_version=version, config=settings.to_dict())
        warehouse.set_report_timezone(settings.report_timezone)
        done = warehouse.processed_calls()
        todo: list[tuple[CallSource, str]] = []
        outcomes: list[CallOutcome] = []
        for source in discovery.calls:
            try:
                sha = fingerprint(source)
            except OSError as exc:
                outcomes.append(_unreadable(source, exc, run_id, settings))
                continue
            previous = done.get(source.call_id)
            if reprocess or previous is None or tuple(previous[:2]) != (sha, version):
                todo.append((source, sha))
        if limit is not None:
            todo = todo[:limit]
        skipped = len(discovery.calls) - len(todo) - len(outcomes)
        with BatchProgress(total=len(todo) + len(outcomes), enabled=show_progress) as progress:
            for outcome in outcomes:
                warehouse.write_call(outcome.record, None, ())
                progress.advance(outcome)
            futures = [process_call.submit(src, sha, settings, run_id) for src, sha in todo]
            for future in as_completed(futures):
                outcome = future.result()
                warehouse.write_call(outcome.record, outcome.analysis, outcome.words)
                outcomes.append(outcome)
                progress.advance(outcome)
        failed = [o for o in outcomes if not o.ok]
        summary = RunSummary(
            run_id=run_id,
            archive=str(archive),
            db=str(settings.db),
            discovered=len(discovery.calls),
            processed=len(outcomes) - len(failed),
            skipped=skipped,
            failed=len(failed),
            audio_s=sum(o.record.duration_s or 0.0 for o in outcomes),
            wall_s=time.monotonic() - started,
            problems=discovery.problems,
            failures=tuple((o.record.call_id, o.record.error or "") for o in failed),
        )
        warehouse.finish_run(
            run_id, ended_at=datetime.now(timezone.utc), discovered=summary.discovered,
            processed=summary.processed, skipped=summary.skipped, failed=summary.failed,
            audio_s=summary.audio_s,
        )
    create_markdown_artifact(markdown=summary.to_markdown(), key="callytics-run-summary",
                             description=f"callytics run {run_id}")
    return summary


def _unreadable(source: CallSource, exc: OSError, run_id: str, settings: Settings) -> CallOutcome:
    record = call_record(source, "", run_id, settings)
    return failed_outcome(record, f"cannot read {source.path}: {exc.strerror or exc}")


def run_batch(archive: Path, settings: Settings, *, limit: int | None = None,
              reprocess: bool = False, show_progress: bool = False) -> RunSummary:
    """Run the nightly flow now, in-process, with the task runner the settings ask for."""
    if settings.workers == 1 and not settings.dask_address:
        # Calls run in this process: load the models while Prefect starts its API server.
        threading.Thread(target=processor_for, args=(settings,), daemon=True).start()
    try:
        return nightly.with_options(task_runner=task_runner_for(settings))(
            archive=archive, settings=settings, limit=limit, reprocess=reprocess,
            show_progress=show_progress,
        )
    except OSError as exc:
        if settings.dask_address:
            raise ConfigError(f"cannot use the Dask scheduler at {settings.dask_address}: "
                              f"{' '.join(str(exc).split())}") from None
        raise


def task_runner_for(settings: Settings):
    """One in-process worker by default; local Dask processes for ``workers > 1``; or a cluster.

    Each Dask worker process loads the models once and keeps them for every call it gets.
    """
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    if settings.workers > 1:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(cluster_kwargs={
            "n_workers": settings.workers, "threads_per_worker": 1, "processes": True,
            "dashboard_address": None,
        })
    return ThreadPoolTaskRunner(max_workers=1)
