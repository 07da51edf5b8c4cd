{#
  What DuckDB (the `local` target) and PostgreSQL (the `postgres` target) spell differently,
  in one place; every other model and macro is SQL both engines read alike (no `qualify`, no
  `group by all`, `float8` for doubles, `interval '1 month' * n` for month arithmetic).
#}

{# `value` as text with `decimals` decimals (C's `%.Nf`: both engines round the binary value
   the same way). #}
{% macro fixed_decimals(value, decimals) -%}
    {{ return(adapter.dispatch('fixed_decimals')(value, decimals)) }}
{%- endmacro %}

{% macro default__fixed_decimals(value, decimals) -%}
    printf('%.{{ decimals }}f', {{ value }})
{%- endmacro %}

{% macro postgres__fixed_decimals(value, decimals) -%}
    to_char(cast({{ value }} as float8), 'FM999999999990.{{ "0" * decimals }}')
{%- endmacro %}


{# a / b as a double on both engines (PostgreSQL divides integers as integers). #}
{% macro divide(a, b) -%}
    (cast({{ a }} as float8) / cast({{ b }} as float8))
{%- endmacro %}


{# A month `YYYY-MM` of a date. #}
{% macro month_of(day) -%}
    substr(cast({{ day }} as varchar), 1, 7)
{%- endmacro %}
