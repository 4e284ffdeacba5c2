"""The Prefect API a batch serves for itself runs only what one batch needs."""
from __future__ import annotations

import httpx
import pytest

from flows.server import prefect_api

pytestmark = pytest.mark.slow


def test_a_batch_api_records_runs_and_starts_no_automation_services(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with prefect_api() as api:
        assert api.served_here
        services = httpx.get(f"{api.api_url}/admin/settings", timeout=30).raise_for_status().json()["server"]["services"]
    assert services["task_run_recorder"]["enabled"] and services["event_persister"]["enabled"]
    assert not services["triggers"]["enabled"]
