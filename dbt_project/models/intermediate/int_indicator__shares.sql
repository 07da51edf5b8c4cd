-- Shares computed from two distinct counts of the same window and scope.
with reach as (
    select * from {{ ref('int_indicator__reach') }}
),

households as (
    select period, "window", scope, scope_code,
        max(value) filter (where indicator_code = 'REACH_HOUSEHOLDS_MINORS') as num,
        max(value) filter (where indicator_code = 'REACH_HOUSEHOLDS') as den
    from reach
    where indicator_code in ('REACH_HOUSEHOLDS', 'REACH_HOUSEHOLDS_MINORS')
    group by period, "window", scope, scope_code
)

select {{ indicator_row('SHARE_HOUSEHOLDS_MINORS',
    'case when coalesce(den, 0) = 0 then null else ' ~ divide('coalesce(num, 0)', 'den') ~ ' end',
    'coalesce(num, 0)', 'coalesce(den, 0)') }}
from households
