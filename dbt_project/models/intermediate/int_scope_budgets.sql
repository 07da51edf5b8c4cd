-- Allocated budget of each scope (reference data).
with partners as (
    select partner_code, consortium_code, budget_eur from {{ ref('partners') }}
)

select 'partnership' as scope, cast(null as varchar) as scope_code, sum(budget_eur) as budget_eur
from partners
union all
select 'consortium' as scope, consortium_code as scope_code, sum(budget_eur) as budget_eur
from partners group by consortium_code
union all
select 'partner' as scope, partner_code as scope_code, budget_eur from partners
