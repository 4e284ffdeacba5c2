-- Staging: rename and derive, one row per raw row. Nothing here filters or aggregates.

CREATE OR REPLACE VIEW stg_calls AS
WITH source AS (
    SELECT * FROM calls
),
report AS (
    SELECT coalesce((SELECT any_value(report_timezone) FROM report_settings), 'UTC') AS report_timezone
),
derived AS (
    SELECT
        source.*,
        coalesce(source.recorded_at, source.processed_at) AS call_at,
        timezone(report.report_timezone, coalesce(source.recorded_at, source.processed_at)) AS call_at_local,
        CASE
            WHEN runs.archive IS NULL THEN NULL
            ELSE rtrim(runs.archive, '/') || '/' || source.source_path
        END AS source_location,
        coalesce(nullif(trim(source.seller_id), ''), nullif(trim(source.seller_name), ''), '(unknown)') AS seller_key,
        coalesce(nullif(trim(source.seller_name), ''), nullif(trim(source.seller_id), ''), '(unknown)') AS seller_label,
        CASE
            WHEN source.outcome IS NULL OR trim(source.outcome) = '' THEN NULL
            WHEN lower(trim(source.outcome)) IN ('won', 'win', 'closed won', 'closed-won', 'closed_won') THEN 'won'
            WHEN lower(trim(source.outcome)) IN ('lost', 'loss', 'closed lost', 'closed-lost', 'closed_lost') THEN 'lost'
            ELSE 'other'
        END AS outcome_class
    FROM source
    CROSS JOIN report
    LEFT JOIN runs ON runs.run_id = source.run_id
)
SELECT
    *,
    CAST(call_at_local AS DATE) AS call_date,
    strftime(call_at_local, '%G-W%V') AS iso_week,
    CAST(date_trunc('week', call_at_local) AS DATE) AS week_start
FROM derived;

CREATE OR REPLACE VIEW stg_first_price_mentions AS
SELECT *
FROM price_mentions
QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY start_s, idx) = 1;
