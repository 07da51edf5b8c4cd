-- Every indicator x period x window x scope: indicator_values has a row for each.
with indicators as (
    select indicator_code from {{ ref('indicators') }}
),

periods as (
    select period from {{ ref('int_periods') }}
),

windows as (
    select 'month' as "window"
    union all
    select 'year' as "window"
    union all
    select 'cumulative' as "window"
),

scopes as (
    select 'partnership' as scope, cast(null as varchar) as scope_code
    union all
    select distinct 'consortium' as scope, consortium_code as scope_code from {{ ref('partners') }}
    union all
    select 'partner' as scope, partner_code as scope_code from {{ ref('partners') }}
)

select indicators.indicator_code, periods.period, windows."window", scopes.scope, scopes.scope_code
from indicators
cross join periods
cross join windows
cross join scopes
