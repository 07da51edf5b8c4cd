{# Every row of `relation` once per scope it counts in: the partnership, its partner's
   consortium, its partner (columns scope, scope_code, then the relation's own). The one
   definition of the three scopes of indicators.md. #}
{% macro in_every_scope(relation) -%}
    select 'partnership' as scope, cast(null as varchar) as scope_code, * from {{ relation }}
    union all
    select 'consortium' as scope, consortium_code as scope_code, * from {{ relation }}
    union all
    select 'partner' as scope, partner_code as scope_code, * from {{ relation }}
{%- endmacro %}
