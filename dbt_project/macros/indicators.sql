{#
  Building blocks of the indicators (indicators.md). Each returns one select with the columns
  indicator_code, period, "window", scope, scope_code, value, numerator, denominator, for
  both windows: 'month' (the period alone) and 'cumulative' (the partnership's start
  through the period). Rows are the scope's own interventions (int_interventions_scoped).
#}

{% macro indicator_row(code, value, numerator='null', denominator='null') -%}
    '{{ code }}' as indicator_code, period, "window", scope, scope_code,
    cast({{ value }} as double) as value,
    cast({{ numerator }} as double) as numerator,
    cast({{ denominator }} as double) as denominator
{%- endmacro %}


{# Distinct keys (persons or households) with at least one row matching `condition`.
   Cumulative: a key counts from the first month it appears in the scope. #}
{% macro distinct_indicator(code, key, condition='true') -%}
select * from (
    with matching as (
        select scope, scope_code, period, {{ key }} as k
        from {{ ref('int_interventions_scoped') }}
        where ({{ condition }}) and {{ key }} is not null
    ),
    first_seen as (
        select scope, scope_code, k, min(period) as first_period from matching group by all
    ),
    counted as (
        select period, 'month' as "window", scope, scope_code, count(distinct k) as n
        from matching group by all
        union all
        select periods.period, 'cumulative' as "window", first_seen.scope, first_seen.scope_code,
            count(*) as n
        from {{ ref('int_periods') }} as periods
        inner join first_seen on first_seen.first_period <= periods.period
        group by all
    )
    select {{ indicator_row(code, 'n') }} from counted
)
{%- endmacro %}


{# A sum of `expr` over rows matching `condition`; cumulative is the running sum. #}
{% macro sum_indicator(code, expr, condition='true', source='int_interventions_scoped') -%}
select * from (
    with monthly as (
        select period, scope, scope_code, sum({{ expr }}) as total
        from {{ ref(source) }}
        where {{ condition }}
        group by all
    ),
    summed as (
        select period, 'month' as "window", scope, scope_code, total from monthly
        union all
        select periods.period, 'cumulative' as "window", monthly.scope, monthly.scope_code,
            sum(monthly.total) as total
        from {{ ref('int_periods') }} as periods
        inner join monthly on monthly.period <= periods.period
        group by all
    )
    select {{ indicator_row(code, 'total') }} from summed
)
{%- endmacro %}


{# numerator / denominator, both sums over rows; null on a zero denominator. #}
{% macro ratio_indicator(code, numerator, denominator, condition='true', source='int_interventions_scoped') -%}
select * from (
    with monthly as (
        select period, scope, scope_code,
            sum({{ numerator }}) as num, sum({{ denominator }}) as den
        from {{ ref(source) }}
        where {{ condition }}
        group by all
    ),
    summed as (
        select period, 'month' as "window", scope, scope_code, num, den from monthly
        union all
        select periods.period, 'cumulative' as "window", monthly.scope, monthly.scope_code,
            sum(monthly.num) as num, sum(monthly.den) as den
        from {{ ref('int_periods') }} as periods
        inner join monthly on monthly.period <= periods.period
        group by all
    )
    select {{ indicator_row(code, 'case when den = 0 then null else num / den end', 'num', 'den') }}
    from summed
)
{%- endmacro %}


{# Persons with rows in at least two distinct values of `dimension` (partners, areas).
   Cumulative: a person counts from the month their second distinct value first appears. #}
{% macro multi_indicator(code, dimension, scopes=none) -%}
select * from (
    with matching as (
        select scope, scope_code, period, person_id, {{ dimension }} as d
        from {{ ref('int_interventions_scoped') }}
        where person_id is not null
        {% if scopes %}and scope in ({{ "'" ~ scopes | join("', '") ~ "'" }}){% endif %}
    ),
    monthly as (
        select period, scope, scope_code, count(*) as n
        from (
            select period, scope, scope_code, person_id
            from matching group by all
            having count(distinct d) >= 2
        ) group by all
    ),
    firsts as (
        select scope, scope_code, person_id, d, min(period) as first_period
        from matching group by all
    ),
    seconds as (
        select scope, scope_code, person_id, first_period
        from firsts
        qualify row_number() over (
            partition by scope, scope_code, person_id order by first_period, d) = 2
    ),
    counted as (
        select period, 'month' as "window", scope, scope_code, n from monthly
        union all
        select periods.period, 'cumulative' as "window", seconds.scope, seconds.scope_code,
            count(*) as n
        from {{ ref('int_periods') }} as periods
        inner join seconds on seconds.first_period <= periods.period
        group by all
    )
    select {{ indicator_row(code, 'n') }} from counted
)
{%- endmacro %}


{# Among keys whose latest outcome for `service` in the window is closed, the share whose
   latest outcome is in `successes`. Latest: by intervention date; on the same day a closed
   outcome is later than IN_CORSO; then the later row of the file. Dates lie inside their
   reporting month, so the latest row up to a period is the latest of the last month with rows. #}
{% macro outcome_indicator(code, service, successes, key) -%}
select * from (
    with outcomes as (
        select scope, scope_code, period, {{ key }} as k, outcome_code,
            outcome_code <> 'IN_CORSO' as is_closed,
            intervention_date, row_number, partner_code
        from {{ ref('int_interventions_scoped') }}
        where service_code = '{{ service }}' and outcome_code is not null and {{ key }} is not null
    ),
    latest_in_month as (
        select * from outcomes
        qualify row_number() over (
            partition by scope, scope_code, period, k
            order by intervention_date desc, is_closed desc, row_number desc, partner_code desc
        ) = 1
    ),
    latest_cumulative as (
        select periods.period as window_period, latest_in_month.*
        from {{ ref('int_periods') }} as periods
        inner join latest_in_month on latest_in_month.period <= periods.period
        qualify row_number() over (
            partition by periods.period, latest_in_month.scope, latest_in_month.scope_code,
                latest_in_month.k
            order by latest_in_month.period desc
        ) = 1
    ),
    tallied as (
        select period, 'month' as "window", scope, scope_code,
            count(*) filter (where is_closed and outcome_code in ({{ "'" ~ successes | join("', '") ~ "'" }})) as num,
            count(*) filter (where is_closed) as den
        from latest_in_month group by all
        union all
        select window_period as period, 'cumulative' as "window", scope, scope_code,
            count(*) filter (where is_closed and outcome_code in ({{ "'" ~ successes | join("', '") ~ "'" }})) as num,
            count(*) filter (where is_closed) as den
        from latest_cumulative group by all
    )
    select {{ indicator_row(code, 'case when den = 0 then null else num / den end', 'num', 'den') }}
    from tallied
)
{%- endmacro %}
