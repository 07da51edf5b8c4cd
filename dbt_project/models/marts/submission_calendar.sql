-- The reporting calendar: one row per partner and month, with its due date and status.
select
    partner_code,
    consortium_code,
    period,
    due_date,
    due_deadline,
    is_due,
    status,
    first_received_at as received_at,
    first_accepted_at,
    versions,
    first_file_accepted,
    has_accepted,
    accepted_on_time
from {{ ref('int_partner_months') }}
