-- Timeliness, completeness and first-time acceptance over the partner-months due.
-- A period whose reports are not yet due has null DQ rates, in every window.
with partner_months as (
    select * from {{ ref('int_partner_months') }}
),

scoped as (
    {{ in_every_scope('partner_months') }}
),

monthly as (
    select
        period, scope, scope_code, bool_and(is_due) as is_due,
        count(*) filter (where is_due and accepted_on_time) as on_time,
        count(*) filter (where is_due and has_accepted) as complete,
        count(*) filter (where is_due) as due,
        count(*) filter (where is_due and versions > 0 and first_file_accepted) as first_ok,
        count(*) filter (where is_due and versions > 0) as with_files
    from scoped
    group by period, scope, scope_code
),

windows as (
    select period, 'month' as "window", scope, scope_code, is_due,
        on_time, complete, due, first_ok, with_files
    from monthly
    union all
    select
        periods.period, w."window", monthly.scope, monthly.scope_code,
        periods.is_due,
        sum(monthly.on_time), sum(monthly.complete), sum(monthly.due),
        sum(monthly.first_ok), sum(monthly.with_files)
    from {{ ref('int_periods') }} as periods
    cross join {{ running_windows() }} as w
    inner join monthly on monthly.period <= periods.period
        and (w."window" = 'cumulative'
            or substr(monthly.period, 1, 4) = substr(periods.period, 1, 4))
    group by periods.period, w."window", monthly.scope, monthly.scope_code, periods.is_due
)

select {{ indicator_row('DQ_ON_TIME_RATE',
    'case when is_due and due > 0 then ' ~ divide('on_time', 'due') ~ ' end',
    'case when is_due then on_time end', 'case when is_due then due end') }}
from windows
union all
select {{ indicator_row('DQ_COMPLETENESS',
    'case when is_due and due > 0 then ' ~ divide('complete', 'due') ~ ' end',
    'case when is_due then complete end', 'case when is_due then due end') }}
from windows
union all
select {{ indicator_row('DQ_FIRST_TIME_ACCEPT',
    'case when is_due and with_files > 0 then ' ~ divide('first_ok', 'with_files') ~ ' end',
    'case when is_due then first_ok end', 'case when is_due then with_files end') }}
from windows
