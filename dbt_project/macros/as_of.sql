{# The build's "today": the var as_of, else the environment's OSSERVATORIO_AS_OF (how the
   pipeline passes it, so that dbt's partial parsing survives a new day), else the current date
   (YYYY-MM-DD). #}
{% macro as_of_date() -%}
    {%- set day = var('as_of', none) or env_var('OSSERVATORIO_AS_OF', '') -%}
    {%- if day -%}date '{{ day }}'{%- else -%}current_date{%- endif -%}
{%- endmacro %}

