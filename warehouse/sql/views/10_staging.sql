-- Staging: rename and derive, one row per raw row. Nothing here filters or aggregates.

CREATE OR REPLACE VIEW stg_calls AS
WITH source AS (
    SELECT * FROM calls
),
derived AS (
    SELECT
        *,
        coalesce(recorded_at, processed_at) AS call_at,
        coalesce(nullif(trim(seller_id), ''), nullif(trim(seller_name), ''), '(unknown)') AS seller_key,
        coalesce(nullif(trim(seller_name), ''), nullif(trim(seller_id), ''), '(unknown)') AS seller_label,
        CASE
            WHEN outcome IS NULL OR trim(outcome) = '' THEN NULL
            WHEN lower(trim(outcome)) IN ('won', 'win', 'closed won', 'closed-won', 'closed_won') THEN 'won'
            WHEN lower(trim(outcome)) IN ('lost', 'loss', 'closed lost', 'closed-lost', 'closed_lost') THEN 'lost'
            ELSE 'other'
        END AS outcome_class
    FROM source
)
SELECT
    *,
    CAST(call_at AS DATE) AS call_date,
    strftime(call_at, '%G-W%V') AS iso_week,
    CAST(date_trunc('week', call_at) AS DATE) AS week_start
FROM derived;

CREATE OR REPLACE VIEW stg_first_price_mentions AS
SELECT *
FROM price_mentions
QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY start_s, idx) = 1;
