{#
  How many persons or households an indicator counts in each category of each breakdown
  (sex, age band, citizenship, residence), for the three windows. A key is described by its
  latest intervention in the window. Columns: indicator_code, period, "window", scope,
  scope_code, dimension, dimension_value, value (zero counts are left out; the mart fills
  them). `weight` counts something other than 1 per key (the largest value in the window:
  MINORS_IN_HOUSEHOLDS); `multi` counts only persons with rows in two or more distinct
  values of that column, from the month the second one appears.

  Year and cumulative windows use running sums: a key's latest description of a month holds
  until its next month with rows (in the year, for the year window), so it adds its weight
  to its category when it starts and takes it back when the next description replaces it.
#}
{% macro breakdown_counts(code, key, condition='true', multi=none, scopes=none, weight='1') -%}
select * from (
    with matching as (
        select scope, scope_code, period, {{ key }} as k, intervention_date, row_number,
            partner_code, sex, age_band, citizenship, residence_class as residence,
            {{ weight }} as weight
            {% if multi %}, {{ multi }} as d{% endif %}
        from {{ indicator_source() }}
        where ({{ condition }}) and {{ key }} is not null
        {% if scopes %}and scope in ({{ "'" ~ scopes | join("', '") ~ "'" }}){% endif %}
    ),
    latest_in_month as (
        select scope, scope_code, period, k, sex, age_band, citizenship, residence, month_weight
        from (
            select scope, scope_code, period, k, sex, age_band, citizenship, residence,
                {% if weight == '1' %}1{% else %}max(weight) over (partition by scope, scope_code, period, k){% endif %} as month_weight,
                row_number() over (
                    partition by scope, scope_code, period, k
                    order by intervention_date desc, row_number desc, partner_code desc) as recency
            from matching
        ) as ranked
        where recency = 1
    ),
    {% if multi %}
    month_members as (
        select latest_in_month.* from latest_in_month
        inner join (
            select scope, scope_code, period, k from matching group by scope, scope_code, period, k
            having count(distinct d) >= 2
        ) as multi_month
            on latest_in_month.scope = multi_month.scope
            and latest_in_month.scope_code is not distinct from multi_month.scope_code
            and latest_in_month.period = multi_month.period
            and latest_in_month.k = multi_month.k
    ),
    seconds as (
        select scope, scope_code, "window", k, since
        from (
            select scope, scope_code, "window", k, first_period as since,
                row_number() over (
                    partition by scope, scope_code, "window", k, {{ window_year('first_period') }}
                    order by first_period, d) as rank_in_window
            from ({{ first_periods('matching', ['scope', 'scope_code', 'k', 'd']) }}) as firsts
        ) as ranked
        where rank_in_window = 2
    ),
    -- From the month a person becomes multi, their description is the latest up to then
    -- (in the year, for the year window).
    cumulative_rows as (
        select scope, scope_code, "window", period, k, sex, age_band, citizenship, residence,
            month_weight
        from (
            select latest_in_month.scope, latest_in_month.scope_code, seconds."window",
                greatest(latest_in_month.period, seconds.since) as period, latest_in_month.k,
                latest_in_month.sex, latest_in_month.age_band, latest_in_month.citizenship,
                latest_in_month.residence, latest_in_month.month_weight,
                latest_in_month.period >= seconds.since as from_since,
                row_number() over (
                    partition by latest_in_month.scope, latest_in_month.scope_code,
                        latest_in_month.k, seconds."window", seconds.since,
                        latest_in_month.period <= seconds.since
                    order by latest_in_month.period desc) as recency
            from latest_in_month
            inner join seconds
                on latest_in_month.scope = seconds.scope
                and latest_in_month.scope_code is not distinct from seconds.scope_code
                and latest_in_month.k = seconds.k
                and (seconds."window" = 'cumulative'
                    or substr(latest_in_month.period, 1, 4) = substr(seconds.since, 1, 4))
        ) as joined
        where from_since or recency = 1
    ),
    {% else %}
    month_members as (select * from latest_in_month),
    cumulative_rows as (select * from {{ in_running_windows('latest_in_month') }} as w),
    {% endif %}
    described as (
        select *,
            lag(sex) over keys as previous_sex,
            lag(age_band) over keys as previous_age_band,
            lag(citizenship) over keys as previous_citizenship,
            lag(residence) over keys as previous_residence,
            lag(cumulative_weight) over keys as previous_w
        from (
            select *,
                {% if weight == '1' %}1{% else %}max(month_weight) over (
                    partition by scope, scope_code, "window", k, {{ window_year() }} order by period
                    rows between unbounded preceding and current row){% endif %} as cumulative_weight
            from cumulative_rows
        ) as weighted
        window keys as (partition by scope, scope_code, "window", k, {{ window_year() }} order by period)
    ),
    {% set dims = ['sex', 'age_band', 'citizenship', 'residence'] %}
    unpivoted as (
        {% for dim in dims %}
        select scope, scope_code, "window", period, '{{ dim }}' as dimension,
            {{ dim }} as dimension_value,
            cumulative_weight as w, previous_{{ dim }} as previous_value, previous_w
        from described
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ),
    -- Only where a description changes: a person whose category stays the same adds nothing.
    changed as (
        select * from unpivoted
        where previous_w is null or previous_w <> w
            or dimension_value is distinct from previous_value
    ),
    changes as (
        select scope, scope_code, "window", period, dimension, dimension_value, w as delta
        from changed
        union all
        select scope, scope_code, "window", period, dimension, previous_value, -previous_w
        from changed where previous_w is not null
    ),
    entering as (
        select scope, scope_code, "window", dimension, dimension_value, period, sum(delta) as value
        from changes group by scope, scope_code, "window", dimension, dimension_value, period
    ),
    running as ({{ running_over_periods('entering', ['value'], ['dimension', 'dimension_value']) }}),
    monthly as (
        {% for dim in dims %}
        select scope, scope_code, period, '{{ dim }}' as dimension, {{ dim }} as dimension_value,
            sum(month_weight) as value
        from month_members group by scope, scope_code, period, {{ dim }}
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    )
    select '{{ code }}' as indicator_code, period, 'month' as "window", scope, scope_code,
        dimension, dimension_value, cast(value as float8) as value
    from monthly where value <> 0
    union all
    select '{{ code }}' as indicator_code, period, "window", scope, scope_code,
        dimension, dimension_value, cast(value as float8) as value
    from running where value <> 0
) as breakdown_{{ code | lower }}
{%- endmacro %}
