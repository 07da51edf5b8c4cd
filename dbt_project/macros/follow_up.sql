{# The last day "within n months of" a date (indicators.md): the same day n months later, or
   that month's last day when it is shorter, minus one day. #}
{% macro within_months_of(day, months) -%}
    cast({{ day }} + interval '1 month' * ({{ months }}) - interval '1 day' as date)
{%- endmacro %}
