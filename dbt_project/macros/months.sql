{# A month `YYYY-MM` (a SQL expression) as an integer: year * 12 + month - 1. #}
{% macro month_index(period) -%}
    (cast(substr({{ period }}, 1, 4) as integer) * 12 + cast(substr({{ period }}, 6, 2) as integer) - 1)
{%- endmacro %}
