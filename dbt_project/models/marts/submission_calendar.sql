-- The reporting calendar: one row per partner and month, with its due date, status and
-- approval (interfaces.md, `status --format json`).
with partner_months as (
    select * from {{ ref('int_partner_months') }}
),

approvals as (
    select * from {{ ref('int_partner_month_approvals') }}
)

select
    partner_months.partner_code,
    partner_months.consortium_code,
    partner_months.period,
    partner_months.due_date,
    partner_months.due_deadline,
    partner_months.is_due,
    partner_months.status,
    partner_months.first_received_at as received_at,
    partner_months.first_accepted_at,
    partner_months.versions,
    partner_months.first_file_accepted,
    partner_months.has_accepted,
    partner_months.accepted_on_time,
    partner_months.held_files,
    coalesce(approvals.is_approved, false) as is_approved,
    approvals.approved_sha256
from partner_months
left join approvals
    on partner_months.partner_code = approvals.partner_code
    and partner_months.period = approvals.period
