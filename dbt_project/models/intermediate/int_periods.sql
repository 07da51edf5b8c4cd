-- Reporting months from the partnership's first month through the last month that has
-- ended at build time (capped at the last month), with their due dates.
with recursive bounds as (
    select
        cast('{{ var("start_period") }}-01' as date) as first_month,
        least(
            cast('{{ var("end_period") }}-01' as date),
            cast(date_trunc('month', {{ as_of_date() }}) - interval '1 month' as date)
        ) as last_month
),

months as (
    select first_month as month_start, last_month from bounds where last_month >= first_month
    union all
    select cast(month_start + interval '1 month' as date), last_month
    from months
    where month_start < last_month
)

select
    {{ month_of('month_start') }} as period,
    month_start,
    cast(month_start + interval '1 month' - interval '1 day' as date) as month_end,
    cast(month_start + interval '1 month' + interval '1 day' * ({{ var('due_day') }} - 1) as date) as due_date,
    cast(month_start + interval '1 month' + interval '1 day' * ({{ var('due_day') }} - 1) as date)
        < {{ as_of_date() }} as is_due,
    cast(extract(year from month_start) as bigint) as year,
    cast(extract(month from month_start) as bigint) as month
from months
