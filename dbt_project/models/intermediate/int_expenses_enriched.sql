with expenses as (
    select * from {{ ref('int_expenses_current') }}
),

partners as (
    select partner_code, consortium_code from {{ ref('partners') }}
)

select
    expenses.submission_id,
    expenses.row_number,
    expenses.partner_code,
    partners.consortium_code,
    expenses.period,
    expenses.expense_item,
    expenses.area_code,
    expenses.total_eur,
    expenses.cofinancing_eur,
    expenses.note
from expenses
inner join partners on expenses.partner_code = partners.partner_code
