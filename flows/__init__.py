"""Prefect flows and the ``callytics`` CLI that wire the pipeline together."""
import os

# Offline defaults: Prefect's telemetry lookups fail here and stall the first flow by ~12 s.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# The API server needs ~6 s to start; a busy nightly machine can take much longer.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# callytics' loggers feed the run's log in Prefect; outside a run there is no log to feed.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
