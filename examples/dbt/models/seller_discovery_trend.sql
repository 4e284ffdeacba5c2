-- Weekly discovery share per seller with the change from the seller's previous week.
select
    seller_id,
    seller_name,
    iso_week,
    week_start,
    calls,
    mean_discovery_share,
    mean_discovery_share
        - lag(mean_discovery_share) over (partition by seller_id order by week_start) as change_from_last_week
from {{ source('callytics', 'v_seller_weekly') }}
where calls > roles_uncertain_calls
