-- Which accepted file currently counts for each table of each partner-month: the latest
-- accepted file that delivers that table (by arrival time, then version).
with submissions as (
    select * from {{ ref('stg_raw__submissions') }}
),

deliveries as (
    select submission_id, partner_code, period, received_at, version, 'interventi' as table_name
    from submissions
    where is_accepted and delivers_interventi
    union all
    select submission_id, partner_code, period, received_at, version, 'spese' as table_name
    from submissions
    where is_accepted and delivers_spese
),

ranked as (
    select
        *,
        row_number() over (
            partition by partner_code, period, table_name
            order by received_at desc, version desc
        ) as recency
    from deliveries
)

select submission_id, partner_code, period, table_name
from ranked
where recency = 1
