{# The published text of a value: '<5' where suppressed, else formatted by unit. #}
{% macro display_value(value, unit, is_suppressed) -%}
    case
        when coalesce({{ is_suppressed }}, false) then '<5'
        when {{ value }} is null then null
        when {{ unit }} = 'rate' then cast(round({{ value }}, 4) as varchar)
        when {{ unit }} = 'EUR' then cast(round({{ value }}, 2) as varchar)
        else cast(cast(round({{ value }}) as bigint) as varchar)
    end
{%- endmacro %}
