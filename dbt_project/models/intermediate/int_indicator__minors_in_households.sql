-- MINORS_IN_HOUSEHOLDS: sum over households of the largest minori_nucleo reported for each
-- in the window. Year and cumulative: each household's running maximum up to the period (from
-- January, for the year window), carried forward as the running sum of its increases.
-- depends_on: {{ ref('int_interventions_recomputed') }}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with per_month as (
    select scope, scope_code, period, partner_code || '|' || household_code as household,
        max(household_minors) as minors
    from {{ indicator_source() }}
    group by scope, scope_code, period, partner_code || '|' || household_code
),

running_max as (
    select *, max(minors) over (
        partition by scope, scope_code, "window", household, {{ window_year() }} order by period
        rows between unbounded preceding and current row) as running_minors
    from {{ in_running_windows('per_month') }} as windowed
),

entering as (
    select scope, scope_code, "window", period,
        sum(running_minors - coalesce(previous_minors, 0)) as total,
        sum(case when previous_minors is null then 1 else 0 end) as present
    from (
        select *, lag(running_minors) over (
            partition by scope, scope_code, "window", household, {{ window_year() }}
            order by period) as previous_minors
        from running_max
    ) as changes
    group by scope, scope_code, "window", period
),

running as ({{ running_over_periods('entering', ['total', 'present']) }}),

summed as (
    select period, 'month' as "window", scope, scope_code, sum(minors) as total
    from per_month group by period, scope, scope_code
    union all
    select period, "window", scope, scope_code, total
    from running where present > 0
),

computed as (
    select {{ indicator_row('MINORS_IN_HOUSEHOLDS', 'total') }} from summed
)

{{ counts_from_changed_months('computed', nulls=['numerator', 'denominator']) }}
