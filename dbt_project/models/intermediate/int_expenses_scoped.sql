-- Every current expense line once per scope it counts in.
with expenses as (
    select * from {{ ref('int_expenses_enriched') }}
)

select 'partnership' as scope, cast(null as varchar) as scope_code, * from expenses
union all
select 'consortium' as scope, consortium_code as scope_code, * from expenses
union all
select 'partner' as scope, partner_code as scope_code, * from expenses
