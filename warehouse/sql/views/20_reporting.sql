-- Reporting views: the public contract sales-ops queries (documented in warehouse/README.md).

CREATE OR REPLACE VIEW v_calls AS
SELECT
    c.*,
    m.* EXCLUDE (call_id, duration_s)
FROM stg_calls AS c
LEFT JOIN call_metrics AS m USING (call_id);

CREATE OR REPLACE VIEW v_seller_weekly AS
-- Metrics that depend on who the seller is leave out calls whose roles are uncertain; those
-- calls still count in calls, outcomes and minutes, and in roles_uncertain_calls.
SELECT
    seller_key AS seller_id,
    arg_max(seller_label, call_at) AS seller_name,
    iso_week,
    week_start,
    count(*) AS calls,
    count(*) FILTER (WHERE roles_uncertain) AS roles_uncertain_calls,
    count(*) FILTER (WHERE outcome_class = 'won') AS won_calls,
    count(*) FILTER (WHERE outcome_class = 'lost') AS lost_calls,
    sum(duration_s) / 60 AS call_minutes,
    avg(seller_talk_ratio) FILTER (WHERE roles_uncertain IS NOT TRUE) AS mean_seller_talk_ratio,
    avg(discovery_share) FILTER (WHERE roles_uncertain IS NOT TRUE) AS mean_discovery_share,
    avg(CASE WHEN pitch_before_discovery THEN 1.0 ELSE 0.0 END) FILTER (WHERE roles_uncertain IS NOT TRUE)
        AS pitch_before_discovery_share,
    avg(usage_share) FILTER (WHERE roles_uncertain IS NOT TRUE) AS mean_usage_share,
    avg(CASE WHEN feature_before_discovery THEN 1.0 ELSE 0.0 END) FILTER (WHERE roles_uncertain IS NOT TRUE)
        AS feature_before_discovery_share,
    count(first_price_s) AS calls_with_price,
    avg(CASE WHEN price_before_discovery THEN 1.0 ELSE 0.0 END) FILTER (WHERE roles_uncertain IS NOT TRUE)
        AS price_before_discovery_share,
    median(first_price_frac) AS median_first_price_frac
FROM v_calls
WHERE status = 'ok'
GROUP BY seller_key, iso_week, week_start;

CREATE OR REPLACE VIEW v_price_timing AS
SELECT
    v.call_id,
    v.call_date,
    v.iso_week,
    v.seller_key AS seller_id,
    v.seller_label AS seller_name,
    v.account,
    v.opportunity_id,
    v.outcome,
    v.outcome_class,
    v.duration_s,
    v.first_price_s,
    v.first_price_frac,
    v.first_price_by,
    v.first_price_kind,
    v.first_discovery_s,
    v.first_price_s - v.first_discovery_s AS price_after_discovery_s,
    v.price_before_discovery,
    v.roles_uncertain,
    CASE
        WHEN v.price_before_discovery THEN 'before_discovery'
        WHEN v.first_price_frac < 1.0 / 3 THEN 'early'
        WHEN v.first_price_frac < 2.0 / 3 THEN 'middle'
        ELSE 'late'
    END AS price_phase,
    v.price_mentions,
    f.speaker AS first_price_speaker,
    f.text AS first_price_text,
    f.cue AS first_price_cue,
    f.amount AS first_price_amount,
    f.currency AS first_price_currency,
    f.period AS first_price_period,
    f.unit AS first_price_unit
FROM v_calls AS v
JOIN stg_first_price_mentions AS f USING (call_id)
WHERE v.status = 'ok';

CREATE OR REPLACE VIEW v_seller_scorecard AS
-- One row per seller and calendar month, and one per seller over all the calls (period 'all').
-- Metrics that depend on who the seller is leave out calls whose roles are uncertain.
WITH scored AS (
    SELECT
        *,
        CASE WHEN pitch_before_discovery THEN 1.0 ELSE 0.0 END AS pitch_first,
        CASE WHEN first_price_by = 'seller' THEN 1.0 WHEN first_price_by IS NOT NULL THEN 0.0 END
            AS seller_price_first,
        roles_uncertain IS NOT TRUE AS roles_certain,
        strftime(call_date, '%Y-%m') AS month
    FROM v_calls
    WHERE status = 'ok'
)
SELECT
    seller_key AS seller_id,
    arg_max(seller_label, call_at) AS seller_name,
    arg_max(team, call_at) FILTER (WHERE team IS NOT NULL AND trim(team) <> '') AS team,
    coalesce(month, 'all') AS period,
    min(call_date) AS first_day,
    max(call_date) AS last_day,
    count(*) AS calls,
    count(*) FILTER (WHERE roles_uncertain) AS roles_uncertain_calls,
    avg(seller_talk_ratio) FILTER (WHERE roles_certain) AS talk_ratio,
    avg(discovery_share) FILTER (WHERE roles_certain) AS discovery_share,
    avg(usage_share) FILTER (WHERE roles_certain) AS usage_share,
    avg(pitch_first) FILTER (WHERE roles_certain) AS pitch_first_rate,
    avg(seller_price_first) FILTER (WHERE roles_certain) AS seller_price_first_rate,
    avg(seller_questions) FILTER (WHERE roles_certain) AS questions_per_call,
    avg(longest_seller_monologue_s) FILTER (WHERE roles_certain) AS longest_monologue_s,
    count(*) FILTER (WHERE outcome_class IN ('won', 'lost')) AS closed_calls,
    count(*) FILTER (WHERE outcome_class = 'won') AS won_calls,
    count(*) FILTER (WHERE outcome_class = 'won')
        / nullif(count(*) FILTER (WHERE outcome_class IN ('won', 'lost')), 0) AS win_rate
FROM scored
GROUP BY GROUPING SETS ((seller_key), (seller_key, month));

CREATE OR REPLACE VIEW v_call_behaviours AS
-- Closed calls (won or lost) with certain roles, one row per behaviour; "above median" compares
-- with the median over these calls. A behaviour undefined for a call (NULL) has no row.
WITH closed AS (
    SELECT *
    FROM v_calls
    WHERE status = 'ok' AND roles_uncertain IS NOT TRUE AND outcome_class IN ('won', 'lost')
),
medians AS (
    SELECT
        median(usage_share) AS usage_share,
        median(discovery_share) AS discovery_share,
        median(seller_questions) AS seller_questions
    FROM closed
),
flags AS (
    SELECT
        closed.call_id,
        closed.call_date,
        closed.seller_key AS seller_id,
        closed.seller_label AS seller_name,
        closed.team,
        closed.outcome_class = 'won' AS won,
        closed.pitch_before_discovery,
        coalesce(closed.price_before_discovery, false) AS price_before_discovery,
        coalesce(closed.first_price_by = 'seller', false) AS seller_raised_price_first,
        closed.feature_before_discovery,
        closed.usage_share > medians.usage_share AS usage_share_above_median,
        closed.seller_talk_ratio > 0.65 AS talk_ratio_above_65pct,
        closed.discovery_share > medians.discovery_share AS discovery_share_above_median,
        closed.seller_questions > medians.seller_questions AS seller_questions_above_median
    FROM closed
    CROSS JOIN medians
)
SELECT call_id, call_date, seller_id, seller_name, team, won, behaviour, present
FROM flags
UNPIVOT (present FOR behaviour IN (
    pitch_before_discovery, price_before_discovery, seller_raised_price_first, feature_before_discovery,
    usage_share_above_median, talk_ratio_above_65pct, discovery_share_above_median,
    seller_questions_above_median
));

CREATE OR REPLACE VIEW v_behaviour_outcomes AS
-- Win rate with and without each behaviour, and the difference with Newcombe's hybrid score
-- interval (method 10 of Newcombe 1998): Wilson 95% bounds of each rate, combined.
WITH behaviours (position, behaviour, description) AS (
    VALUES
        (1, 'pitch_before_discovery', 'seller pitched before any discovery question'),
        (2, 'price_before_discovery', 'price came up before any discovery question'),
        (3, 'seller_raised_price_first', 'the seller raised price first'),
        (4, 'feature_before_discovery', 'a feature pitch came before any discovery question'),
        (5, 'usage_share_above_median', 'usage share of pitches above the median call'),
        (6, 'talk_ratio_above_65pct', 'seller talked more than 65% of the time'),
        (7, 'discovery_share_above_median', 'discovery share above the median call'),
        (8, 'seller_questions_above_median', 'seller asked more questions than the median call')
),
counts AS (
    SELECT
        behaviours.position,
        behaviours.behaviour,
        behaviours.description,
        count(*) FILTER (WHERE b.present) AS n_with,
        count(*) FILTER (WHERE NOT b.present) AS n_without,
        count(*) FILTER (WHERE b.present AND b.won) AS won_with,
        count(*) FILTER (WHERE NOT b.present AND b.won) AS won_without
    FROM behaviours
    LEFT JOIN v_call_behaviours AS b USING (behaviour)
    GROUP BY ALL
),
wilson AS (
    -- Each win rate's Wilson score interval is centre -+ half: centre = (x + z^2/2) / (n + z^2),
    -- half = z sqrt(x (n - x) / n + z^2/4) / (n + z^2), for x won of n calls, z = 1.96.
    SELECT
        counts.*,
        won_with / nullif(n_with, 0) AS p1,
        won_without / nullif(n_without, 0) AS p2,
        (won_with + z * z / 2) / (n_with + z * z) AS centre1,
        z * sqrt(won_with * (n_with - won_with) / nullif(n_with, 0) + z * z / 4) / (n_with + z * z) AS half1,
        (won_without + z * z / 2) / (n_without + z * z) AS centre2,
        z * sqrt(won_without * (n_without - won_without) / nullif(n_without, 0) + z * z / 4)
            / (n_without + z * z) AS half2,
        least(n_with, n_without) >= (SELECT coalesce(any_value(min_outcome_calls), 10) FROM report_settings)
            AS enough_calls
    FROM counts
    CROSS JOIN (SELECT 1.959963984540054 AS z)
)
SELECT
    behaviour,
    description,
    n_with,
    n_without,
    won_with,
    won_without,
    p1 AS win_rate_with,
    p2 AS win_rate_without,
    p1 - p2 AS diff,
    -- Newcombe: low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
    CASE WHEN enough_calls
        THEN p1 - p2 - sqrt((p1 - centre1 + half1) ^ 2 + (centre2 + half2 - p2) ^ 2) END AS diff_low,
    CASE WHEN enough_calls
        THEN p1 - p2 + sqrt((centre1 + half1 - p1) ^ 2 + (p2 - centre2 + half2) ^ 2) END AS diff_high,
    enough_calls
FROM wilson
ORDER BY position;
