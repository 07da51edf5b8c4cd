-- Progress against the yearly targets of the co-design plan (seeds/targets.csv), at every due
-- period of the target's year: the indicator's `year` window value, the share of the target
-- reached, and the share of the year's months inside the partnership elapsed by the period.
-- A view over indicator_values, so that its published columns follow that table's
-- suppression as it is published (secondary suppression included): where the actual is
-- suppressed, so are its progress and status (either would give it away with the target).
{{ config(materialized='view') }}
with targets as (
    select indicator_code, scope, scope_code, cast(year as integer) as year,
        cast(target as float8) as target, is_placeholder
    from {{ ref('targets') }}
),

periods as (
    select period, year, month from {{ ref('int_periods') }} where is_due
),

bounds as (
    -- months as integers (year * 12 + month - 1), so that ranges are differences
    select
        {{ month_index("'" ~ var('start_period') ~ "'") }} as first_month,
        {{ month_index("'" ~ var('end_period') ~ "'") }} as last_month
),

rows as (
    select
        targets.*,
        periods.period,
        greatest(bounds.first_month, targets.year * 12) as year_first,
        least(bounds.last_month, targets.year * 12 + 11) as year_last,
        {{ month_index('periods.period') }} as period_month
    from targets
    inner join periods on periods.year = targets.year
    cross join bounds
),

measured as (
    select
        rows.indicator_code,
        catalogue.indicator_name_it,
        catalogue.unit,
        rows.scope,
        rows.scope_code,
        rows.year,
        rows.period,
        rows.target,
        rows.is_placeholder,
        values_.value as actual,
        values_.value / rows.target as progress,
        {{ divide('rows.period_month - rows.year_first + 1', 'rows.year_last - rows.year_first + 1') }}
            as expected,
        coalesce(values_.is_suppressed, false) as is_suppressed,
        values_.display_value as actual_display
    from rows
    inner join {{ ref('indicators') }} as catalogue on rows.indicator_code = catalogue.indicator_code
    left join {{ ref('indicator_values') }} as values_
        on rows.indicator_code = values_.indicator_code
        and rows.period = values_.period
        and values_."window" = 'year'
        and rows.scope = values_.scope
        and rows.scope_code is not distinct from values_.scope_code
)

select
    *,
    case
        when actual is null then null
        when progress >= 1 then 'achieved'
        when progress >= 0.9 * expected then 'on_track'
        else 'behind'
    end as status,
    case
        when is_suppressed then '<5'
        when progress is null then null
        else {{ fixed_decimals('progress', 4) }}
    end as progress_display,
    case
        when is_suppressed or actual is null then null
        when progress >= 1 then 'achieved'
        when progress >= 0.9 * expected then 'on_track'
        else 'behind'
    end as status_display
from measured
