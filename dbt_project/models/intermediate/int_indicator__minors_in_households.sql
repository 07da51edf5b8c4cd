-- MINORS_IN_HOUSEHOLDS: sum over households of the largest minori_nucleo reported for each
-- in the window. Cumulative: each household's running maximum up to the period.
with per_month as (
    select scope, scope_code, period, partner_code || '|' || household_code as household,
        max(household_minors) as minors
    from {{ ref('int_interventions_scoped') }}
    group by all
),

running as (
    select *, max(minors) over (
        partition by scope, scope_code, household order by period
        rows between unbounded preceding and current row) as running_minors
    from per_month
),

latest as (
    select periods.period as window_period, running.*
    from {{ ref('int_periods') }} as periods
    inner join running on running.period <= periods.period
    qualify row_number() over (
        partition by periods.period, running.scope, running.scope_code, running.household
        order by running.period desc) = 1
),

summed as (
    select period, 'month' as "window", scope, scope_code, sum(minors) as total
    from per_month group by all
    union all
    select window_period as period, 'cumulative' as "window", scope, scope_code,
        sum(running_minors) as total
    from latest group by all
)

select {{ indicator_row('MINORS_IN_HOUSEHOLDS', 'total') }} from summed
