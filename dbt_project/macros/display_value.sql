{# The published text of a value: '<5' where suppressed, else formatted by unit. #}
{% macro display_value(value, unit, is_suppressed) -%}
    case
        when coalesce({{ is_suppressed }}, false) then '<5'
        when {{ value }} is null then null
        when {{ unit }} = 'rate' then printf('%.4f', {{ value }})
        when {{ unit }} = 'EUR' then printf('%.2f', {{ value }})
        else cast(cast(round({{ value }}) as bigint) as varchar)
    end
{%- endmacro %}
