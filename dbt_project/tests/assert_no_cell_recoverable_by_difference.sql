{{ config(severity='error', meta={'dagster': {'ref': {'name': 'indicator_breakdowns'}}}) }}
-- A breakdown never has exactly one suppressed cell: one hidden cell could be recovered
-- from the published total minus the published cells.
select indicator_code, period, "window", scope, scope_code, dimension,
    count(*) filter (where is_suppressed) as suppressed_cells
from {{ ref('indicator_breakdowns') }}
group by all
having count(*) filter (where is_suppressed) = 1
