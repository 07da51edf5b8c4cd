-- Every current intervention once per scope it counts in: the partnership, its partner's
-- consortium, its partner. Indicators group this by (scope, scope_code).
with interventions as (
    select * from {{ ref('int_interventions_current') }}
)

select 'partnership' as scope, cast(null as varchar) as scope_code, * from interventions
union all
select 'consortium' as scope, consortium_code as scope_code, * from interventions
union all
select 'partner' as scope, partner_code as scope_code, * from interventions
