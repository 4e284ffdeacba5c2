"""The nightly batch: discover calls, skip what is done, process the rest, write as they finish.

``nightly`` is the Prefect flow that ``callytics run``, ``callytics serve`` and the deployment in
``prefect.yaml`` all run. Given no settings it reads them where it runs (the TOML file and
``CALLYTICS_*`` variables), so a Prefect worker's own environment applies.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from itertools import chain
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.events import emit_event
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.archive import CallSource, Discovery, discover_calls, fingerprint
from flows.config import ConfigError, Settings, load_settings, with_environment_secrets
from flows.lock import run_lock
from flows.logs import forward_warnings_to_prefect
from flows.process import (
    CallOutcome,
    call_record,
    failed_outcome,
    pipeline_version,
    processor_for,
)
from flows.progress import BatchProgress
from flows.stopping import stop_signal
from flows.writer import BatchWriter, RunTotals
from warehouse import Warehouse, WarehouseError

CALLS_FAILED_EVENT = "callytics.batch.calls-failed"
INTERRUPTED_CLOSE_WAIT_S = 5.0  # a stopping batch waits this long for the database to close its run


class BatchIncompleteError(WarehouseError):
    """Finished calls could not be written before the batch ended; they wait in the spool."""


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
def fingerprint_call(source: CallSource) -> str:
    return fingerprint(source)


@task(cache_policy=NO_CACHE, task_run_name="process {source.call_id}")
def process_call(source: CallSource, sha256: str, settings: Settings, run_id: str) -> CallOutcome:
    forward_warnings_to_prefect()
    return processor_for(settings).process(source, sha256, run_id)


# Where cores allow, two calls are in flight per process: one heard (decode, ASR) while the
# other is followed (diarization, analysis); see CallProcessor.process. With fewer cores the ASR
# alone keeps them busy, and a second call would only hold its audio longer.
CALLS_IN_FLIGHT = 2 if (os.cpu_count() or 1) >= 4 else 1


@flow(name="callytics-nightly", task_runner=ThreadPoolTaskRunner(max_workers=CALLS_IN_FLIGHT),
      validate_parameters=False)
def nightly(
    archive: str,
    settings: Settings | dict | None = None,
    limit: int | None = None,
    reprocess: bool = False,
    show_progress: bool = False,
) -> RunSummary:
    """Process every new or changed call under ``archive`` (a folder or an fsspec URL such as
    ``s3://bucket/calls``) into ``settings.db``. Without ``settings``, they are loaded from the
    TOML file and ``CALLYTICS_*`` variables of the machine the flow runs on."""
    forward_warnings_to_prefect()
    settings = resolve_settings(settings)
    runner = task_runner_for(settings)
    if FlowRunContext.get().task_runner == runner:
        return _batch(str(archive), settings, limit, reprocess, show_progress)
    return batch.with_options(task_runner=runner)(str(archive), settings, limit, reprocess, show_progress)


def resolve_settings(settings: Settings | dict | None) -> Settings:
    """Settings given whole, or loaded where the flow runs with a deployment's JSON parameters
    (any subset of the settings) on top."""
    if not isinstance(settings, Settings):
        overrides = settings or {}
        unknown = set(overrides) - {f.name for f in fields(Settings)}
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(sorted(unknown))}")
        settings = load_settings().with_overrides(**overrides)
    return with_environment_secrets(settings)


def _batch(archive: str, settings: Settings, limit: int | None, reprocess: bool,
           show_progress: bool) -> RunSummary:
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:12]
    run_logger = get_run_logger()
    discovery = discover_calls(archive)
    for problem in discovery.problems:
        run_logger.warning("%s", problem)
    with run_lock(settings.db):
        warehouse = Warehouse(settings.db, lock_timeout_s=settings.lock_timeout_s)
        writer = BatchWriter(warehouse, run_id)
        for message in writer.recover():
            run_logger.warning("%s", message)
        warehouse.fail_abandoned_runs("interrupted: the batch process ended before finishing")
        warehouse.set_report_timezone(settings.report_timezone)
        warehouse.set_min_outcome_calls(settings.min_outcome_calls)
        warehouse.start_run(run_id, started_at=datetime.now(timezone.utc), archive=archive,
                            pipeline_version=pipeline_version(settings), config=settings.to_dict())
        outcomes: list[CallOutcome] = []
        try:
            skipped = _process(discovery, warehouse, writer, outcomes, settings, run_id, limit=limit,
                               reprocess=reprocess, show_progress=show_progress)
        except BaseException as exc:
            writer.flush(INTERRUPTED_CLOSE_WAIT_S)
            stopped = not isinstance(exc, Exception) or stop_signal() is not None
            reason = "interrupted" if stopped else f"failed: {exc}"
            writer.close_run(_totals(discovery, outcomes, None), wait_s=INTERRUPTED_CLOSE_WAIT_S,
                             error=" ".join(reason.split()))
            raise
        summary = _summary(run_id, archive, settings, discovery, outcomes, skipped, started)
        writer.flush(settings.lock_timeout_s)
        writer.close_run(_totals(discovery, outcomes, skipped), wait_s=settings.lock_timeout_s)
        if writer.pending:
            raise BatchIncompleteError(
                f"{writer.pending} finished call(s) could not be written to {settings.db} "
                f"({writer.last_error}); {writer.kept_where()}")
    if summary.failed:
        _emit_calls_failed(summary)
    create_markdown_artifact(markdown=summary.to_markdown(), key="callytics-run-summary",
                             description=f"callytics run {run_id}")
    return summary


batch = flow(name="callytics-batch", validate_parameters=False)(_batch)


def _process(discovery: Discovery, warehouse: Warehouse, writer: BatchWriter,
             outcomes: list[CallOutcome], settings: Settings, run_id: str, *, limit: int | None,
             reprocess: bool, show_progress: bool) -> int:
    """Fingerprint, skip what is stored, process the rest; returns the number skipped."""
    version = pipeline_version(settings)
    done = warehouse.processed_calls()
    todo: list[tuple[CallSource, str]] = []
    unreadable: list[CallOutcome] = []
    for source in discovery.calls:
        try:
            sha = fingerprint_call(source)
        except OSError as exc:
            unreadable.append(_unreadable(source, exc, run_id, settings))
            continue
        previous = done.get(source.call_id)
        if reprocess or previous is None or tuple(previous[:2]) != (sha, version):
            todo.append((source, sha))
    if limit is not None:
        todo = todo[:limit]
    run_logger = get_run_logger()
    with BatchProgress(total=len(todo) + len(unreadable), enabled=show_progress) as progress:
        futures = [process_call.submit(src, sha, settings, run_id) for src, sha in todo]
        for outcome in chain(unreadable, (future.result() for future in as_completed(futures))):
            writer.add(outcome)
            outcomes.append(outcome)
            progress.advance(outcome)
            if not outcome.ok:
                run_logger.warning("call %s failed: %s", outcome.record.call_id, outcome.record.error)
    return len(discovery.calls) - len(todo) - len(unreadable)


def _totals(discovery: Discovery, outcomes: list[CallOutcome], skipped: int | None) -> RunTotals:
    failed = sum(1 for o in outcomes if not o.ok)
    return RunTotals(discovered=len(discovery.calls), processed=len(outcomes) - failed,
                     skipped=skipped or 0, failed=failed,
                     audio_s=sum(o.record.duration_s or 0.0 for o in outcomes))


def _summary(run_id: str, archive: str, settings: Settings, discovery: Discovery,
             outcomes: list[CallOutcome], skipped: int, started: float) -> RunSummary:
    totals = _totals(discovery, outcomes, skipped)
    return RunSummary(
        run_id=run_id, archive=archive, db=str(settings.db), discovered=totals.discovered,
        processed=totals.processed, skipped=totals.skipped, failed=totals.failed,
        audio_s=totals.audio_s, wall_s=time.monotonic() - started, problems=discovery.problems,
        failures=tuple((o.record.call_id, o.record.error or "") for o in outcomes if not o.ok),
    )


def _emit_calls_failed(summary: RunSummary) -> None:
    """The event an automation alerts on (see docs/operations.md)."""
    db = os.path.realpath(summary.db)
    related = []
    if (context := FlowRunContext.get()) is not None and context.flow_run is not None:
        related.append({"prefect.resource.id": f"prefect.flow-run.{context.flow_run.id}",
                        "prefect.resource.role": "flow-run"})
    emit_event(
        event=CALLS_FAILED_EVENT,
        resource={"prefect.resource.id": f"callytics.database.{db}",
                  "prefect.resource.name": summary.db},
        related=related,
        payload={"run_id": summary.run_id, "archive": summary.archive, "failed": summary.failed,
                 "processed": summary.processed,
                 "failures": [{"call_id": c, "error": e} for c, e in summary.failures[:50]]},
    )


def _unreadable(source: CallSource, exc: OSError, run_id: str, settings: Settings) -> CallOutcome:
    record = call_record(source, "", run_id, settings)
    return failed_outcome(record, f"cannot read {source.location}: {exc.strerror or exc}")


def run_batch(archive: str, settings: Settings, *, limit: int | None = None,
              reprocess: bool = False, show_progress: bool = False) -> RunSummary:
    """Run the nightly flow now, in this process, with the task runner the settings ask for,
    reporting to the configured Prefect API or to one served from this process meanwhile."""
    from flows.server import prefect_api

    preload = None
    if settings.workers == 1 and not settings.dask_address:
        # Calls run in this process: load the models while the Prefect API starts.
        preload = threading.Thread(target=processor_for, args=(settings,), daemon=True)
        preload.start()
    try:
        with prefect_api():
            return nightly.with_options(task_runner=task_runner_for(settings))(
                archive=str(archive), settings=settings, limit=limit, reprocess=reprocess,
                show_progress=show_progress,
            )
    except OSError as exc:
        if settings.dask_address:
            raise ConfigError(f"cannot use the Dask scheduler at {settings.dask_address}: "
                              f"{' '.join(str(exc).split())}") from None
        raise
    finally:
        if preload is not None:
            preload.join()  # a model still loading when the interpreter exits aborts the process


def task_runner_for(settings: Settings):
    """Calls in this process by default; local Dask processes for ``workers > 1``; or a cluster.

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
    return ThreadPoolTaskRunner(max_workers=CALLS_IN_FLIGHT)
