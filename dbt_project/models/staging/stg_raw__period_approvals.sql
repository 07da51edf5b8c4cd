select
    approval_seq,
    partner_code,
    period,
    action,
    acted_at,
    acted_by,
    note,
    sha256
from {{ source('raw', 'period_approvals') }}
