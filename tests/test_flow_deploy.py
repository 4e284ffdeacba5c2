"""The Prefect deployment in prefect.yaml: `prefect deploy` accepts it, and a process worker runs
it with the settings of its own environment (CALLYTICS_*); the alert automations load."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from processes import (
    REPO,
    assert_all_gone,
    callytics,
    callytics_env,
    descendants,
    rows,
    tiny_calls,
    wait_for,
)

PREFECT = [sys.executable, "-m", "prefect"]


def test_the_shipped_deployment_and_alerts_are_valid():
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.events.schemas.automations import AutomationCore
    from prefect.flows import Flow, load_flow_from_entrypoint

    project = PrefectYamlModel.model_validate(yaml.safe_load((REPO / "prefect.yaml").read_text()))
    [nightly] = project.deployments
    assert isinstance(load_flow_from_entrypoint(nightly.entrypoint), Flow)
    assert set(nightly.parameters) <= {"archive", "settings", "limit", "reprocess"}
    alerts = yaml.safe_load((REPO / "deploy" / "alerts.yaml").read_text())["automations"]
    assert [AutomationCore.model_validate(a).trigger.expect for a in alerts] == [
        {"callytics.batch.calls-failed"}, {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """A Prefect server of the tests' own (`prefect server start`), stopped afterwards."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_UI_ENABLED="false", PYTHONPATH=str(REPO))
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return server.poll() is not None

    try:
        wait_for(healthy, 600, "the Prefect server to start")
        assert server.poll() is None
        yield api
    finally:
        children = descendants(server.pid)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        assert_all_gone(children)


def prefect(*args: str, api: str, cwd: Path, env: dict | None = None, timeout: float = 600):
    environment = dict(env or os.environ, PREFECT_API_URL=api, PYTHONPATH=str(REPO))
    result = subprocess.run([*PREFECT, *args], cwd=cwd, env=environment, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_prefect_deploy_accepts_the_nightly_deployment_and_a_worker_runs_it(prefect_server, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "prefect.yaml", project / "prefect.yaml")
    prefect("work-pool", "create", "callytics", "--type", "process", api=prefect_server, cwd=project)
    prefect("--no-prompt", "deploy", "--all", api=prefect_server, cwd=project)

    deployment = httpx.get(f"{prefect_server}/deployments/name/callytics-nightly/nightly").json()
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"][0]
    assert deployment["work_pool_name"] == "callytics"
    assert deployment["entrypoint"] == spec["entrypoint"]
    assert deployment["parameters"] == {"archive": "/srv/calls"}
    [schedule] = deployment["schedules"]
    assert (schedule["schedule"]["cron"], schedule["active"]) == ("0 2 * * *", True)
    assert deployment["global_concurrency_limit"]["limit"] == 1
    assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"

    archive = tiny_calls(tmp_path / "archive", 1)[0].parent
    (archive / "broken.wav").write_bytes(b"RIFF not really")
    db = tmp_path / "worker.duckdb"
    prefect("deployment", "run", "callytics-nightly/nightly", "--param", f"archive={archive}",
            api=prefect_server, cwd=project)
    worker_env = dict(os.environ, CALLYTICS_DB=str(db))
    prefect("worker", "start", "--pool", "callytics", "--run-once", api=prefect_server,
            cwd=tmp_path, env=worker_env, timeout=900)

    assert rows(db, "SELECT status, discovered, processed, failed FROM runs") == [("finished", 2, 1, 1)]
    runs = httpx.post(f"{prefect_server}/flow_runs/filter",
                      json={"deployments": {"id": {"any_": [deployment["id"]]}}}).json()
    [flow_run] = [run for run in runs if run["state_type"] == "COMPLETED"]
    logs = httpx.post(f"{prefect_server}/logs/filter", json={
        "logs": {"flow_run_id": {"any_": [flow_run["id"]]}, "level": {"ge_": 30}}}).json()
    assert any("call broken.wav failed" in log["message"] for log in logs), logs


@pytest.mark.slow
def test_callytics_run_reports_to_the_configured_server(prefect_server, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "broken.wav").write_bytes(b"RIFF not really")
    db = tmp_path / "calls.duckdb"
    result = callytics("run", str(archive), "--db", str(db), cwd=tmp_path,
                       env=callytics_env(PREFECT_API_URL=prefect_server))
    assert result.returncode == 0, result.stderr
    [run_id] = [row[0] for row in rows(db, "SELECT run_id FROM runs")]
    runs = httpx.post(f"{prefect_server}/flow_runs/filter",
                      json={"flows": {"name": {"any_": ["callytics-nightly"]}}}).json()
    assert [run["state_type"] for run in runs if run["deployment_id"] is None] == ["COMPLETED"]
    artifacts = httpx.post(f"{prefect_server}/artifacts/filter",
                           json={"artifacts": {"key": {"any_": ["callytics-run-summary"]}}}).json()
    assert any(run_id in artifact["data"] for artifact in artifacts)
