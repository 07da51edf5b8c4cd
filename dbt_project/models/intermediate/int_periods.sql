-- Reporting months from the partnership's first month through the last month that has
-- ended at build time (capped at the last month), with their due dates.
with bounds as (
    select
        cast(strptime('{{ var("start_period") }}' || '-01', '%Y-%m-%d') as date) as first_month,
        least(
            cast(strptime('{{ var("end_period") }}' || '-01', '%Y-%m-%d') as date),
            cast(date_trunc('month', {{ as_of_date() }}) - interval 1 month as date)
        ) as last_month
),

months as (
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month_start
    from bounds
    where last_month >= first_month
)

select
    strftime(month_start, '%Y-%m') as period,
    month_start,
    cast(month_start + interval 1 month - interval 1 day as date) as month_end,
    cast(month_start + interval 1 month + interval ({{ var('due_day') }} - 1) day as date) as due_date,
    cast(month_start + interval 1 month + interval ({{ var('due_day') }} - 1) day as date)
        < {{ as_of_date() }} as is_due,
    year(month_start) as year,
    month(month_start) as month
from months
