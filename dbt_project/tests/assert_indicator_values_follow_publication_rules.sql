{{ config(severity='error', meta={'dagster': {'ref': {'name': 'indicator_values'}}}) }}
-- The publication rules of indicators.md hold on every row of indicator_values (the rules
-- its disabled unit test pins; the model cannot be unit-tested while it reads `graph`):
-- counts of 1-4 and rates with a denominator of 1-4 are suppressed and read '<5', nothing
-- else is suppressed; a rate with a zero denominator is null; counts and sums are never
-- null (except an indicator without partner scope, at partner scope); display_value is the
-- value formatted by unit.
with checked as (
    select
        iv.*,
        catalogue.unit,
        catalogue.suppression_rule,
        catalogue.partner_scope,
        case catalogue.suppression_rule
            when 'count' then coalesce(iv.value between 1 and 4, false)
            when 'rate' then coalesce(iv.denominator between 1 and 4, false)
            else false
        end as should_suppress
    from {{ ref('indicator_values') }} as iv
    inner join {{ ref('indicators') }} as catalogue
        on iv.indicator_code = catalogue.indicator_code
)

select indicator_code, period, "window", scope, scope_code, value, denominator,
    is_suppressed, display_value, 'suppression' as broken_rule
from checked
where is_suppressed <> should_suppress
union all
select indicator_code, period, "window", scope, scope_code, value, denominator,
    is_suppressed, display_value, 'zero denominator not null'
from checked
where suppression_rule = 'rate' and denominator = 0 and value is not null
union all
select indicator_code, period, "window", scope, scope_code, value, denominator,
    is_suppressed, display_value, 'count or sum is null'
from checked
where value is null and unit <> 'rate' and indicator_code <> 'FIN_COST_PER_PERSON'
    and not (scope = 'partner' and not partner_scope)
union all
select indicator_code, period, "window", scope, scope_code, value, denominator,
    is_suppressed, display_value, 'display_value'
from checked
where display_value is distinct from case
        when is_suppressed then '<5'
        when value is null then null
        when unit = 'rate' then printf('%.4f', value)
        when unit = 'EUR' then printf('%.2f', value)
        else cast(cast(round(value) as bigint) as varchar)
    end
