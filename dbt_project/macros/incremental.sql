{#
  Incremental builds: a new month must not rebuild five years.

  The pipeline passes changed_from (var, or the environment's OSSERVATORIO_CHANGED_FROM), the
  first reporting month whose data changed since
  the last successful build (a new month, or a correction of an old one); see
  pipelines/warehouse/dbt.py, which also forces a full refresh when the project, the seeds or
  the calendar changed. Models materialised as `incremental` delete their rows from that month
  on and insert them again; everything before it is kept. Without it (a plain `dbt build`) an
  incremental model recomputes every month.
#}

{# The first changed month (YYYY-MM), or '' when the build recomputes every month. #}
{% macro changed_month() -%}
    {{- var('changed_from', none) or env_var('OSSERVATORIO_CHANGED_FROM', '') -}}
{%- endmacro %}


{# The first month recomputed, as a SQL literal. #}
{% macro changed_from() -%}
    '{{ changed_month() or var("start_period") }}'
{%- endmacro %}


{# Config of a model kept by month: delete the changed months before inserting them again. #}
{% macro delete_changed_months() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where period >= {{ changed_from() }}
    {%- endif -%}
{%- endmacro %}


{# `and period >= changed_from` in an incremental build, nothing otherwise. #}
{% macro only_changed_months(column='period') -%}
    {%- if is_incremental() %} and {{ column }} >= {{ changed_from() }}{% endif -%}
{%- endmacro %}


{# What the indicator macros read: every scoped intervention, or in an incremental build
   int_interventions_recomputed (the changed months and the whole history of the persons and
   households in them). A model calling it names that model in a `-- depends_on:` comment. #}
{% macro indicator_source() -%}
    {%- if is_incremental() and changed_month() -%}
    {{ ref('int_interventions_recomputed') }}
    {%- else -%}
    {{ ref('int_interventions_scoped') }}
    {%- endif -%}
{%- endmacro %}


{#
  The rows to insert for counts of persons or households, from `computed` (a relation with
  indicator_code, period, "window", scope, scope_code, <keys>, value over indicator_source()).
  Full build: computed as it is. Incremental build, for the changed months only:
  - month windows: as computed (every row of a changed month is in the source);
  - cumulative windows: the last kept month's value (from the table itself) plus what the
    changed keys add from then on, i.e. computed(month) - computed(last kept month);
  - year windows: the same within the year of the last kept month; from the next January,
    as computed (no key without rows in the changed months counts in a later year).
  Year and cumulative rows are kept where non-zero: indicator_values and indicator_breakdowns read a
  missing count as 0. `nulls` are further columns written as null (numerator, denominator).
#}
{% macro counts_from_changed_months(computed, keys=[], nulls=[]) -%}
{%- set series = ['indicator_code', 'scope'] + keys -%}
{%- if not is_incremental() -%}
    select indicator_code, period, "window", scope, scope_code,
        {% for k in keys %}{{ k }}, {% endfor %}cast(value as float8) as value
        {% for c in nulls %}, cast(null as float8) as {{ c }}{% endfor %}
    from {{ computed }}
{%- else -%}
    select * from (
        with kept as (
            select max(period) as period from {{ ref('int_periods') }}
            where period < {{ changed_from() }}
        ),
        changed_months as (
            select period from {{ ref('int_periods') }} where period >= {{ changed_from() }}
        ),
        base as (
            select {{ series | join(', ') }}, scope_code, "window", value from {{ this }}
            where "window" in ('cumulative', 'year') and period = (select period from kept)
        ),
        before as (
            select {{ series | join(', ') }}, scope_code, "window", value from {{ computed }}
            where "window" in ('cumulative', 'year') and period = (select period from kept)
        ),
        after as (
            select {{ series | join(', ') }}, scope_code, "window", period, value from {{ computed }}
            where "window" in ('cumulative', 'year') and period >= {{ changed_from() }}
        ),
        all_series as (
            select {{ series | join(', ') }}, scope_code, "window" from base
            union
            select {{ series | join(', ') }}, scope_code, "window" from before
            union
            select {{ series | join(', ') }}, scope_code, "window" from after
        ),
        cumulative as (
            select all_series.*, changed_months.period,
                coalesce(base.value, 0) + coalesce(after.value, 0) - coalesce(before.value, 0) as value
            from all_series
            cross join changed_months
            left join base on
                {% for s in series %}base.{{ s }} = all_series.{{ s }} and {% endfor %}
                base.scope_code is not distinct from all_series.scope_code
                and base."window" = all_series."window"
                and (all_series."window" = 'cumulative'
                    or substr(changed_months.period, 1, 4) = substr((select period from kept), 1, 4))
            left join before on
                {% for s in series %}before.{{ s }} = all_series.{{ s }} and {% endfor %}
                before.scope_code is not distinct from all_series.scope_code
                and before."window" = all_series."window"
                and (all_series."window" = 'cumulative'
                    or substr(changed_months.period, 1, 4) = substr((select period from kept), 1, 4))
            left join after on
                {% for s in series %}after.{{ s }} = all_series.{{ s }} and {% endfor %}
                after.scope_code is not distinct from all_series.scope_code
                and after."window" = all_series."window"
                and after.period = changed_months.period
        )
        select indicator_code, period, "window", scope, scope_code,
            {% for k in keys %}{{ k }}, {% endfor %}cast(value as float8) as value
            {% for c in nulls %}, cast(null as float8) as {{ c }}{% endfor %}
        from {{ computed }}
        where "window" = 'month' and period >= {{ changed_from() }}
        union all
        select indicator_code, period, "window", scope, scope_code,
            {% for k in keys %}{{ k }}, {% endfor %}cast(value as float8) as value
            {% for c in nulls %}, cast(null as float8) as {{ c }}{% endfor %}
        from cumulative
        where value <> 0
    ) as changed_counts
{%- endif -%}
{%- endmacro %}
