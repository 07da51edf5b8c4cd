-- Expense lines of the version that counts for each partner-month.
with current_versions as (
    select submission_id, partner_code, period
    from {{ ref('int_submissions_versioned') }}
    where table_name = 'spese'
),

expenses as (
    select * from {{ ref('stg_raw__expenses') }}
)

select
    current_versions.partner_code,
    current_versions.period,
    expenses.*
from expenses
inner join current_versions
    on expenses.submission_id = current_versions.submission_id
