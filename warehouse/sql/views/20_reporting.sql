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
