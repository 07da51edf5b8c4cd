-- Person and household indicators by sex, age band, citizenship and residence (households:
-- residence only), with primary suppression (1-4); published for the partnership and the
-- consortia (a partner's breakdowns are for the analysts only). Secondary suppression over every linked
-- cell (the total in indicator_values, other scopes, other windows) is applied after the
-- build by pipelines/disclosure/ and audited before publication. A table rebuilt at every
-- build: its size grows with partners x months, not with the interventions (the counts,
-- int_breakdown_counts, are kept by month).
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
),

counted as (
    select * from {{ ref('int_breakdown_counts') }}
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

suppressed as (
    select cells.*, cells.value between 1 and 4 as is_suppressed
    from cells
)

select
    suppressed.indicator_code,
    suppressed.period,
    suppressed."window",
    suppressed.scope,
    suppressed.scope_code,
    suppressed.dimension,
    suppressed.dimension_value,
    cast(suppressed.value as float8) as value,
    cast(null as float8) as numerator,
    cast(null as float8) as denominator,
    coalesce(suppressed.is_suppressed, false) and suppressed.scope <> 'partner' as is_suppressed,
    -- Breakdowns are published for the partnership and the consortia; a partner's are for
    -- the analysts only (mostly counts under 5, and each one more link to protect).
    case when suppressed.scope <> 'partner' then {{ display_value('suppressed.value',
        'catalogue.unit', 'suppressed.is_suppressed') }} end as display_value,
    case
        when suppressed.scope = 'partner' then 'not_published'
        when suppressed.is_suppressed then 'primary'
    end as suppression
from suppressed
inner join catalogue on suppressed.indicator_code = catalogue.indicator_code
