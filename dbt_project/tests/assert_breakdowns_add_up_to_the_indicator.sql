{{ config(severity='error', meta={'dagster': {'ref': {'name': 'indicator_breakdowns'}}}) }}
-- Every person is in exactly one category of each breakdown (their latest intervention in
-- the window), so the exact cells of a breakdown add up to the indicator's exact value.
with cells as (
    select indicator_code, period, "window", scope, scope_code, dimension, sum(value) as total
    from {{ ref('indicator_breakdowns') }}
    group by indicator_code, period, "window", scope, scope_code, dimension
)

select cells.*, indicator_values.value
from cells
inner join {{ ref('indicator_values') }} as indicator_values
    on cells.indicator_code = indicator_values.indicator_code
    and cells.period = indicator_values.period
    and cells."window" = indicator_values."window"
    and cells.scope = indicator_values.scope
    and cells.scope_code is not distinct from indicator_values.scope_code
where cells.total is distinct from indicator_values.value
