{#
  Building blocks of the indicators (indicators.md). Each returns one select with the columns
  indicator_code, period, "window", scope, scope_code, value, numerator, denominator, for
  the three windows: 'month' (the period alone), 'year' (January of the period's year, or the
  partnership's start, through the period) and 'cumulative' (the partnership's start
  through the period). Rows are the scope's own interventions (int_interventions_scoped).

  Year and cumulative windows are running sums over the months, never joins of every month
  with every person: what enters at a month is counted there (a person's first month in the
  window, a month's total), and a running sum carries it forward, so the cost grows with the
  rows, not with rows x months. A year window is a cumulative window that starts again each
  January: its running sums are partitioned by the year as well. A row is produced where
  something was counted (the grid fills the rest).
#}

{# The windows that run over months, as a relation of one column "window". #}
{% macro running_windows() -%}
    (select 'cumulative' as "window" union all select 'year' as "window")
{%- endmacro %}


{# What partitions a running window besides its series: the year, for the year window. #}
{% macro window_year(period='period', window='"window"') -%}
    case when {{ window }} = 'year' then substr({{ period }}, 1, 4) end
{%- endmacro %}


{# `relation` once per running window (a column "window" added). #}
{% macro in_running_windows(relation) -%}
    (select {{ relation }}.*, w."window" from {{ relation }} cross join {{ running_windows() }} as w)
{%- endmacro %}


{# Per `by` (a list of columns) and running window, the first period of the rows of
   `relation`: the first ever (cumulative) and the first of each year (year). #}
{% macro first_periods(relation, by) -%}
    select {{ by | join(', ') }}, 'cumulative' as "window", min(period) as first_period
    from {{ relation }} group by {{ by | join(', ') }}
    union all
    select {{ by | join(', ') }}, 'year' as "window", min(period) as first_period
    from {{ relation }} group by {{ by | join(', ') }}, substr(period, 1, 4)
{%- endmacro %}

{% macro indicator_row(code, value, numerator='null', denominator='null') -%}
    '{{ code }}' as indicator_code, period, "window", scope, scope_code,
    cast({{ value }} as float8) as value,
    cast({{ numerator }} as float8) as numerator,
    cast({{ denominator }} as float8) as denominator
{%- endmacro %}


{# Running sums of the columns of `relation` (scope, scope_code, "window", period, <columns>)
   over every month of int_periods, per scope and running window (a year window per year);
   `present` counts what has entered so far. #}
{% macro running_over_periods(relation, columns, keys=[]) -%}
    {%- set partition = ['scope', 'scope_code', '"window"'] + keys -%}
    select
        scope_periods.period,
        {% for k in partition %}scope_periods.{{ k }},{% endfor %}
        {% for c in columns %}
        sum(coalesce({{ relation }}.{{ c }}, 0)) over (
            partition by {% for k in partition %}scope_periods.{{ k }}, {% endfor %}
                {{ window_year('scope_periods.period', 'scope_periods."window"') }}
            order by scope_periods.period) as {{ c }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from (
        select {% for k in partition %}series.{{ k }}, {% endfor %}periods.period
        from (select distinct {{ partition | join(', ') }} from {{ relation }}) as series
        cross join {{ ref('int_periods') }} as periods
    ) as scope_periods
    left join {{ relation }}
        on scope_periods.period = {{ relation }}.period
        {% for k in partition %}
        and scope_periods.{{ k }} is not distinct from {{ relation }}.{{ k }}
        {% endfor %}
{%- endmacro %}


{# Distinct keys (persons or households) with at least one row matching `condition`.
   Year and cumulative: a key counts from the first month it appears in the scope (in the
   year, for the year window). #}
{% macro distinct_indicator(code, key, condition='true') -%}
select * from (
    with matching as (
        select scope, scope_code, period, {{ key }} as k
        from {{ indicator_source() }}
        where ({{ condition }}) and {{ key }} is not null
    ),
    entering as (
        select scope, scope_code, "window", first_period as period, count(*) as n
        from ({{ first_periods('matching', ['scope', 'scope_code', 'k']) }}) as firsts
        group by scope, scope_code, "window", first_period
    ),
    running as ({{ running_over_periods('entering', ['n']) }}),
    counted as (
        select period, 'month' as "window", scope, scope_code, count(distinct k) as n
        from matching group by period, scope, scope_code
        union all
        select period, "window", scope, scope_code, n from running where n > 0
    )
    select {{ indicator_row(code, 'n') }} from counted
) as distinct_{{ code | lower }}
{%- endmacro %}


{# A sum of `expr` over rows matching `condition`; year and cumulative are running sums. #}
{% macro sum_indicator(code, expr, condition='true', source='int_interventions_scoped') -%}
select * from (
    with monthly as (
        select period, scope, scope_code, sum({{ expr }}) as total, count(*) as present
        from {{ ref(source) }}
        where {{ condition }}
        group by period, scope, scope_code
    ),
    windowed as (select * from {{ in_running_windows('monthly') }} as w),
    running as ({{ running_over_periods('windowed', ['total', 'present']) }}),
    summed as (
        select period, 'month' as "window", scope, scope_code, total from monthly
        union all
        select period, "window", scope, scope_code, total
        from running where present > 0
    )
    select {{ indicator_row(code, 'total') }} from summed
) as sum_{{ code | lower }}
{%- endmacro %}


{# numerator / denominator, both sums over rows; null on a zero denominator. #}
{% macro ratio_indicator(code, numerator, denominator, condition='true', source='int_interventions_scoped') -%}
select * from (
    with monthly as (
        select period, scope, scope_code,
            sum({{ numerator }}) as num, sum({{ denominator }}) as den, count(*) as present
        from {{ ref(source) }}
        where {{ condition }}
        group by period, scope, scope_code
    ),
    windowed as (select * from {{ in_running_windows('monthly') }} as w),
    running as ({{ running_over_periods('windowed', ['num', 'den', 'present']) }}),
    summed as (
        select period, 'month' as "window", scope, scope_code, num, den from monthly
        union all
        select period, "window", scope, scope_code, num, den
        from running where present > 0
    )
    select {{ indicator_row(code, 'case when den = 0 then null else ' ~ divide('num', 'den') ~ ' end', 'num', 'den') }}
    from summed
) as ratio_{{ code | lower }}
{%- endmacro %}


{# Persons with rows in at least two distinct values of `dimension` (partners, areas).
   Year and cumulative: a person counts from the month their second distinct value first
   appears (in the year, for the year window). #}
{% macro multi_indicator(code, dimension, scopes=none) -%}
select * from (
    with matching as (
        select scope, scope_code, period, person_id, {{ dimension }} as d
        from {{ indicator_source() }}
        where person_id is not null
        {% if scopes %}and scope in ({{ "'" ~ scopes | join("', '") ~ "'" }}){% endif %}
    ),
    monthly as (
        select period, scope, scope_code, count(*) as n
        from (
            select period, scope, scope_code, person_id
            from matching group by period, scope, scope_code, person_id
            having count(distinct d) >= 2
        ) as multi group by period, scope, scope_code
    ),
    firsts as (
        {{ first_periods('matching', ['scope', 'scope_code', 'person_id', 'd']) }}
    ),
    seconds as (
        select scope, scope_code, "window", person_id, first_period
        from (
            select scope, scope_code, "window", person_id, first_period,
                row_number() over (
                    partition by scope, scope_code, "window", person_id,
                        {{ window_year('first_period') }}
                    order by first_period, d) as rank_in_window
            from firsts
        ) as ranked
        where rank_in_window = 2
    ),
    entering as (
        select scope, scope_code, "window", first_period as period, count(*) as n
        from seconds group by scope, scope_code, "window", first_period
    ),
    running as ({{ running_over_periods('entering', ['n']) }}),
    counted as (
        select period, 'month' as "window", scope, scope_code, n from monthly
        union all
        select period, "window", scope, scope_code, n from running where n > 0
    )
    select {{ indicator_row(code, 'n') }} from counted
) as multi_{{ code | lower }}
{%- endmacro %}


{# Among keys whose latest outcome for `service` in the window is closed, the share whose
   latest outcome is in `successes`. Latest: by intervention date; on the same day a closed
   outcome is later than IN_CORSO; then the later row of the file. Dates lie inside their
   reporting month, so the latest row up to a period is the latest of the last month with
   rows: each key's monthly latest holds until its next month with rows, which the running
   sums express as +1 when it starts and -1 when the next one replaces it. #}
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
        select scope, scope_code, period, k, den, num
        from (
            select
                scope, scope_code, period, k,
                case when is_closed then 1 else 0 end as den,
                case when is_closed and outcome_code in ({{ "'" ~ successes | join("', '") ~ "'" }})
                    then 1 else 0 end as num,
                row_number() over (
                    partition by scope, scope_code, period, k
                    order by intervention_date desc, is_closed desc, row_number desc,
                        partner_code desc
                ) as recency
            from outcomes
        ) as ranked
        where recency = 1
    ),
    changes as (
        select scope, scope_code, "window", period,
            num - coalesce(lag(num) over keys, 0) as num,
            den - coalesce(lag(den) over keys, 0) as den,
            case when lag(period) over keys is null then 1 else 0 end as present
        from {{ in_running_windows('latest_in_month') }} as windowed
        window keys as (
            partition by scope, scope_code, "window", k, {{ window_year() }} order by period)
    ),
    entering as (
        select scope, scope_code, "window", period, sum(num) as num, sum(den) as den,
            sum(present) as present
        from changes group by scope, scope_code, "window", period
    ),
    running as ({{ running_over_periods('entering', ['num', 'den', 'present']) }}),
    tallied as (
        select period, 'month' as "window", scope, scope_code, sum(num) as num, sum(den) as den
        from latest_in_month group by period, scope, scope_code
        union all
        select period, "window", scope, scope_code, num, den
        from running where present > 0
    )
    select {{ indicator_row(code, 'case when den = 0 then null else ' ~ divide('num', 'den') ~ ' end', 'num', 'den') }}
    from tallied
) as outcome_{{ code | lower }}
{%- endmacro %}
