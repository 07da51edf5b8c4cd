-- Whether an indicator value is final: every partner-month it depends on is approved.
-- Grain: period, "window", scope, scope_code (as indicator_values). A value of a scope
-- depends on the partner-months of the scope's active partners: those of the period for the
-- month window, from January of the period's year (or the partnership's start) for the year
-- window, from the partnership's start through the period for the cumulative window. A
-- partner-month without an accepted file cannot be approved, so its values stay provisional.
with partner_months as (
    select partner_code, consortium_code, period from {{ ref('int_partner_months') }}
),

approvals as (
    select partner_code, period, is_approved from {{ ref('int_partner_month_approvals') }}
),

states as (
    select
        partner_months.partner_code,
        partner_months.consortium_code,
        partner_months.period,
        coalesce(approvals.is_approved, false) as is_approved
    from partner_months
    left join approvals
        on partner_months.partner_code = approvals.partner_code
        and partner_months.period = approvals.period
),

scoped as (
    {{ in_every_scope('states') }}
),

periods as (
    select period, year from {{ ref('int_periods') }}
),

scopes as (
    select 'partnership' as scope, cast(null as varchar) as scope_code
    union all
    select distinct 'consortium' as scope, consortium_code as scope_code from {{ ref('partners') }}
    union all
    select 'partner' as scope, partner_code as scope_code from {{ ref('partners') }}
),

monthly as (
    -- a scope with no active partner in a month depends on nothing then: final
    select
        periods.period,
        periods.year,
        scopes.scope,
        scopes.scope_code,
        coalesce(bool_and(scoped.is_approved), true) as month_final
    from periods
    cross join scopes
    left join scoped
        on periods.period = scoped.period
        and scopes.scope = scoped.scope
        and scopes.scope_code is not distinct from scoped.scope_code
    group by periods.period, periods.year, scopes.scope, scopes.scope_code
),

windows as (
    select
        period,
        scope,
        scope_code,
        month_final,
        bool_and(month_final) over (
            partition by scope, scope_code, year order by period
            rows between unbounded preceding and current row
        ) as year_final,
        bool_and(month_final) over (
            partition by scope, scope_code order by period
            rows between unbounded preceding and current row
        ) as cumulative_final
    from monthly
)

select period, 'month' as "window", scope, scope_code, month_final as is_final
from windows
union all
select period, 'year' as "window", scope, scope_code, year_final as is_final
from windows
union all
select period, 'cumulative' as "window", scope, scope_code, cumulative_final as is_final
from windows
