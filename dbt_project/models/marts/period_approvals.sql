-- The history of approvals and reopenings of partner-months (interfaces.md), never rewritten.
with actions as (
    select * from {{ ref('stg_raw__period_approvals') }}
)

select
    partner_code,
    period,
    action,
    acted_at as "at",
    acted_by as "by",
    note,
    sha256
from actions
order by approval_seq
