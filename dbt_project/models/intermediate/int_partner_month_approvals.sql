-- The approval state of every partner-month the steward ever acted on: its latest action
-- (approved = locked), when and by whom, and the version (sha256) approved.
with actions as (
    select * from {{ ref('stg_raw__period_approvals') }}
),

latest as (
    select
        partner_code,
        period,
        action,
        acted_at,
        acted_by,
        sha256,
        row_number() over (partition by partner_code, period order by approval_seq desc) as recency
    from actions
)

select
    partner_code,
    period,
    action = 'approved' as is_approved,
    acted_at as last_action_at,
    acted_by as last_action_by,
    case when action = 'approved' then sha256 end as approved_sha256
from latest
where recency = 1
