"""`callytics serve` out of the box: its own Prefect server and UI, a schedule that really fires,
warnings in the run's log, an event an automation alerts on, and nothing left when it stops."""
from __future__ import annotations

import signal
import socket
import subprocess

import httpx
import pytest
import yaml

from processes import (
    REPO,
    assert_all_gone,
    callytics,
    callytics_env,
    descendants,
    start_callytics,
    tiny_calls,
    try_rows,
    wait_for,
)

pytestmark = pytest.mark.slow

ALERTS = REPO / "deploy" / "alerts.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_fires_every_minute_and_stops_cleanly(tmp_path):
    archive = tiny_calls(tmp_path / "archive", 1)[0].parent
    (archive / "broken.wav").write_bytes(b"RIFF not really")
    db = tmp_path / "data" / "calls.duckdb"
    db.parent.mkdir()
    port = free_port()
    serve = start_callytics("serve", str(archive), "--db", str(db), "--cron", "* * * * *",
                            "--port", str(port), cwd=tmp_path, env=callytics_env(),
                            start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        first_line = serve.stderr.readline()
        assert first_line.startswith(f"Prefect UI: http://127.0.0.1:{port} "), first_line
        assert str(db.parent / "prefect") in first_line
        assert "text/html" in httpx.get(f"http://127.0.0.1:{port}/", timeout=30).headers["content-type"]
        automation = yaml.safe_load(ALERTS.read_text())["automations"][0]
        automation["actions"] = [{"type": "do-nothing"}]  # the shipped file names a notification block
        created = httpx.post(f"{api}/automations/", json=automation, timeout=30)
        assert created.status_code == 201, created.text

        wait_for(lambda: serve.poll() is not None or try_rows(db, "SELECT 1 FROM runs WHERE status = 'finished'"),
                 420, "a scheduled batch to finish")
        assert serve.poll() is None
        assert try_rows(db, "SELECT call_id, status FROM calls ORDER BY call_id") == [
            ("broken.wav", "failed"), ("call00.wav", "ok")]

        deployment = httpx.get(f"{api}/deployments/name/callytics-nightly/callytics-nightly").json()
        assert deployment["global_concurrency_limit"]["limit"] == 1
        # The runs row is written inside the flow, so the flow run itself completes a moment later.
        [flow_run] = wait_for(lambda: [run for run in httpx.post(f"{api}/flow_runs/filter", json={}).json()
                                       if run["state_type"] == "COMPLETED"][:1],
                              60, "the scheduled flow run to complete")
        def warnings() -> list[str]:
            logs = httpx.post(f"{api}/logs/filter", json={
                "logs": {"flow_run_id": {"any_": [flow_run["id"]]}, "level": {"ge_": 30}}}).json()
            return [log["message"] for log in logs]

        wait_for(lambda: any("call broken.wav failed" in message for message in warnings()),
                 60, "the failed call's warning in the run's log")

        def events(name: str) -> list[dict]:
            page = httpx.post(f"{api}/events/filter", json={"filter": {"event": {"name": [name]}}}).json()
            return page["events"]

        [event] = wait_for(lambda: events("callytics.batch.calls-failed"), 60, "the calls-failed event")
        assert event["payload"]["failures"][0]["call_id"] == "broken.wav"
        wait_for(lambda: [e for e in events("prefect.automation.triggered")
                          if e["resource"]["prefect.resource.name"] == automation["name"]],
                 120, "the automation to trigger")
    finally:
        children = descendants(serve.pid)
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=120)
        except subprocess.TimeoutExpired:
            serve.kill()
            raise
        assert_all_gone(children)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api}/health", timeout=5)


def test_serve_reports_a_busy_port_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        serve = start_callytics("serve", str(tmp_path), "--db", str(tmp_path / "x.duckdb"),
                                "--port", str(port), cwd=tmp_path)
        _, stderr = serve.communicate(timeout=300)
    assert serve.returncode == 1
    lines = stderr.strip().splitlines()
    assert lines == [f"callytics: error: cannot serve the Prefect API on 127.0.0.1:{port}: "
                     "Address already in use; choose another --port, or set PREFECT_API_URL to use a running server"]


def test_run_uses_a_configured_prefect_api_and_says_when_it_is_unreachable(tmp_path):
    port = free_port()
    result = callytics("run", str(tmp_path), "--db", str(tmp_path / "x.duckdb"), cwd=tmp_path,
                       env=callytics_env(PREFECT_API_URL=f"http://127.0.0.1:{port}/api"), timeout=300)
    assert result.returncode == 1
    assert result.stderr.startswith(f"callytics: error: the Prefect API at http://127.0.0.1:{port}/api "
                                    "(PREFECT_API_URL) is not reachable")
    assert not (tmp_path / "x.duckdb").exists()
