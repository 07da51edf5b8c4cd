{# The build's "today": the var as_of (YYYY-MM-DD) or the current date. #}
{% macro as_of_date() -%}
    {%- if var('as_of') -%}date '{{ var("as_of") }}'{%- else -%}current_date{%- endif -%}
{%- endmacro %}
