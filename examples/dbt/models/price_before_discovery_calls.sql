-- Calls where price came up before the seller asked about the buyer, with what was said first.
select
    t.call_id,
    t.call_date,
    t.seller_name,
    t.account,
    t.outcome_class,
    t.first_price_by,
    t.first_price_text,
    c.source_location
from {{ source('callytics', 'v_price_timing') }} as t
join {{ source('callytics', 'v_calls') }} as c using (call_id)
where t.price_before_discovery and t.roles_uncertain is not true
