{# The published text of a value: '<5' where suppressed, else formatted by unit. #}
{% macro display_value(value, unit, is_suppressed) -%}
    case
        when coalesce({{ is_suppressed }}, false) then '<5'
        when {{ value }} is null then null
        when {{ unit }} = 'rate' then {{ fixed_decimals(value, 4) }}
        when {{ unit }} = 'EUR' then {{ fixed_decimals(value, 2) }}
        else cast(cast(round({{ value }}) as bigint) as varchar)
    end
{%- endmacro %}


{# The published text of a count of persons or households: '<5' from 1 to 4. #}
{% macro count_display(count) -%}
    case when {{ count }} between 1 and 4 then '<5' else cast(cast({{ count }} as bigint) as varchar) end
{%- endmacro %}


{# The published text of a rate per 1,000 (one decimal): '<5' where its count reads '<5'. #}
{% macro rate_display(rate, count) -%}
    case when {{ count }} between 1 and 4 then '<5' when {{ rate }} is not null then {{ fixed_decimals(rate, 1) }} end
{%- endmacro %}
