{{ config(severity='error', meta={'dagster': {'ref': {'name': 'indicator_values'}}}) }}
-- No published value shows a count from 1 to 4: suppressed cells read '<5'.
select indicator_code, period, "window", scope, scope_code, display_value
from {{ ref('indicator_values') }}
where display_value in ('1', '2', '3', '4')
union all
select indicator_code, period, "window", scope, scope_code, display_value
from {{ ref('indicator_breakdowns') }}
where display_value in ('1', '2', '3', '4')
