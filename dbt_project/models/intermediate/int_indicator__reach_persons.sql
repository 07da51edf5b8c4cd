-- REACH_PERSONS: distinct persons with at least one intervention (anonymous rows excluded).
-- Cumulative: a person counts from the first month they appear in the scope.
with scoped as (
    select scope, scope_code, period, person_id
    from {{ ref('int_interventions_scoped') }}
    where person_id is not null
),

periods as (
    select period from {{ ref('int_periods') }}
),

monthly as (
    select period, 'month' as "window", scope, scope_code, count(distinct person_id) as value
    from scoped
    group by all
),

first_seen as (
    select scope, scope_code, person_id, min(period) as first_period
    from scoped
    group by all
),

cumulative as (
    select
        periods.period,
        'cumulative' as "window",
        first_seen.scope,
        first_seen.scope_code,
        count(*) as value
    from periods
    inner join first_seen on first_seen.first_period <= periods.period
    group by all
)

select 'REACH_PERSONS' as indicator_code, period, "window", scope, scope_code,
    cast(value as double) as value,
    cast(null as double) as numerator, cast(null as double) as denominator
from monthly
union all
select 'REACH_PERSONS' as indicator_code, period, "window", scope, scope_code,
    cast(value as double) as value,
    cast(null as double) as numerator, cast(null as double) as denominator
from cumulative
