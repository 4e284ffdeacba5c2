-- Timestamps carry their zone: the stored values were UTC without one, so each is read as UTC
-- (whatever the session's TimeZone) and keeps its instant.
ALTER TABLE calls ALTER recorded_at SET DATA TYPE TIMESTAMPTZ USING timezone('UTC', recorded_at);
ALTER TABLE calls ALTER processed_at SET DATA TYPE TIMESTAMPTZ USING timezone('UTC', processed_at);
ALTER TABLE runs ALTER started_at SET DATA TYPE TIMESTAMPTZ USING timezone('UTC', started_at);
ALTER TABLE runs ALTER ended_at SET DATA TYPE TIMESTAMPTZ USING timezone('UTC', ended_at);
ALTER TABLE schema_version ALTER applied_at SET DATA TYPE TIMESTAMPTZ USING timezone('UTC', applied_at);
ALTER TABLE schema_version ALTER applied_at SET DEFAULT now();

-- The time zone the views put calls into days and weeks in; the batch writes the configured
-- report_timezone here, so every SQL reader groups by the same local days.
CREATE TABLE report_settings (
    report_timezone VARCHAR NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
INSERT INTO report_settings VALUES ('UTC', now());

-- calls.source_path is relative to the archive root (runs.archive of the run that wrote it);
-- callytics 0.1 stored the archive root in front of it.
UPDATE calls SET source_path = substr(calls.source_path, length(rtrim(runs.archive, '/')) + 2)
FROM runs
WHERE runs.run_id = calls.run_id
  AND starts_with(calls.source_path, rtrim(runs.archive, '/') || '/');
