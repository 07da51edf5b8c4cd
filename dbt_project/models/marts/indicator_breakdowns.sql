-- Person and household indicators by sex, age band, citizenship and residence (households:
-- residence only), with primary suppression (1-4) and complementary suppression: where a
-- breakdown has exactly one suppressed cell and a published total, the next smallest cell
-- is suppressed too, so that no cell can be recovered by difference. Cells of different
-- months never interact: an incremental build recomputes the changed months only.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with catalogue as (
    -- Counts of persons or households (the catalogue says which), each computed in
    -- int_breakdown_counts.
    select indicator_code, unit, subject, partner_scope from {{ ref('indicators') }}
    where subject in ('person', 'household') and suppression_rule = 'count'
),

categories as (
    select * from {{ ref('breakdown_categories') }}
),

grid as (
    select distinct grid.indicator_code, grid.period, grid."window", grid.scope, grid.scope_code,
        categories.dimension, categories.dimension_value, categories.sort_order
    from {{ ref('int_indicator_grid') }} as grid
    inner join catalogue on grid.indicator_code = catalogue.indicator_code
    inner join categories
        on categories.applies_to = 'any' or categories.applies_to = catalogue.subject
    where true{{ only_changed_months('grid.period') }}
),

counted as (
    select * from {{ ref('int_breakdown_counts') }}
    where true{{ only_changed_months() }}
),

cells as (
    -- Indicators that do not apply to partner scope have no value there, as in
    -- indicator_values.
    select grid.*,
        case when grid.scope = 'partner' and not catalogue.partner_scope then null
            else coalesce(counted.value, 0) end as value
    from grid
    inner join catalogue on grid.indicator_code = catalogue.indicator_code
    left join counted
        on grid.indicator_code = counted.indicator_code and grid.period = counted.period
        and grid."window" = counted."window" and grid.scope = counted.scope
        and grid.scope_code is not distinct from counted.scope_code
        and grid.dimension = counted.dimension and grid.dimension_value = counted.dimension_value
),

primary_suppression as (
    select cells.*, cells.value between 1 and 4 as primary_suppressed
    from cells
),

ranked as (
    select
        primary_suppression.*,
        count(*) filter (where primary_suppressed) over breakdown as suppressed_cells,
        row_number() over (
            partition by indicator_code, period, "window", scope, scope_code, dimension,
                primary_suppressed
            order by (value = 0), value, sort_order) as rank_among_published
    from primary_suppression
    window breakdown as (partition by indicator_code, period, "window", scope, scope_code, dimension)
),

suppressed as (
    select
        ranked.*,
        ranked.primary_suppressed
            or (ranked.suppressed_cells = 1 and not ranked.primary_suppressed
                and ranked.rank_among_published = 1) as is_suppressed
    from ranked
)

select
    suppressed.indicator_code,
    suppressed.period,
    suppressed."window",
    suppressed.scope,
    suppressed.scope_code,
    suppressed.dimension,
    suppressed.dimension_value,
    cast(suppressed.value as double) as value,
    cast(null as double) as numerator,
    cast(null as double) as denominator,
    coalesce(suppressed.is_suppressed, false) as is_suppressed,
    {{ display_value('suppressed.value', 'catalogue.unit', 'suppressed.is_suppressed') }} as display_value
from suppressed
inner join catalogue on suppressed.indicator_code = catalogue.indicator_code
