{#
  The keys (persons or households) counted by an indicator in each window and scope, with
  the attributes of their latest intervention in the window: sex, age band, citizenship,
  residence. `multi` counts only persons with rows in two or more distinct values of that
  column. Columns: indicator_code, period, "window", scope, scope_code, k, weight, sex,
  age_band, citizenship, residence.
#}
{% macro breakdown_members(code, key, condition='true', multi=none, scopes=none, weight='1') -%}
select * from (
    with matching as (
        select scope, scope_code, period, {{ key }} as k, intervention_date, row_number,
            partner_code, sex, age_band, citizenship, residence_class as residence,
            {{ weight }} as weight
            {% if multi %}, {{ multi }} as d{% endif %}
        from {{ ref('int_interventions_scoped') }}
        where ({{ condition }}) and {{ key }} is not null
        {% if scopes %}and scope in ({{ "'" ~ scopes | join("', '") ~ "'" }}){% endif %}
    ),
    latest_in_month as (
        select *, max(weight) over (partition by scope, scope_code, period, k) as month_weight
        from matching
        qualify row_number() over (
            partition by scope, scope_code, period, k
            order by intervention_date desc, row_number desc, partner_code desc) = 1
    ),
    latest_cumulative as (
        select periods.period as window_period, latest_in_month.*,
            max(latest_in_month.month_weight) over (
                partition by periods.period, latest_in_month.scope, latest_in_month.scope_code,
                    latest_in_month.k) as cumulative_weight
        from {{ ref('int_periods') }} as periods
        inner join latest_in_month on latest_in_month.period <= periods.period
        qualify row_number() over (
            partition by periods.period, latest_in_month.scope, latest_in_month.scope_code,
                latest_in_month.k
            order by latest_in_month.period desc) = 1
    ),
    members as (
        select period, 'month' as "window", scope, scope_code, k, month_weight as weight,
            sex, age_band, citizenship, residence
        from latest_in_month
        union all
        select window_period as period, 'cumulative' as "window", scope, scope_code, k,
            cumulative_weight as weight, sex, age_band, citizenship, residence
        from latest_cumulative
    )
    {% if multi %}
    , firsts as (
        select scope, scope_code, k, d, min(period) as first_period from matching group by all
    ),
    seconds as (
        select scope, scope_code, k, first_period from firsts
        qualify row_number() over (
            partition by scope, scope_code, k order by first_period, d) = 2
    ),
    multi_month as (
        select period, scope, scope_code, k from matching group by all
        having count(distinct d) >= 2
    )
    select '{{ code }}' as indicator_code, members.*
    from members
    where ("window" = 'month' and exists (
            select 1 from multi_month
            where multi_month.period = members.period and multi_month.scope = members.scope
                and multi_month.scope_code is not distinct from members.scope_code
                and multi_month.k = members.k))
        or ("window" = 'cumulative' and exists (
            select 1 from seconds
            where seconds.first_period <= members.period and seconds.scope = members.scope
                and seconds.scope_code is not distinct from members.scope_code
                and seconds.k = members.k))
    {% else %}
    select '{{ code }}' as indicator_code, members.* from members
    {% endif %}
)
{%- endmacro %}
