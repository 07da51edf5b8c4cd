{{ config(severity='error', meta={'dagster': {'ref': {'name': 'indicator_values'}}}) }}
-- The publication rules of indicators.md hold on every row of indicator_values (the rules
-- its disabled unit test pins; the model cannot be unit-tested while it reads `graph`):
-- primary suppression: counts of 1-4, rates with a numerator or denominator of 1-4, sums of
-- money received by 1-4 persons or households, never figures about organisations (a cell
-- may further be suppressed by the secondary suppression that follows the build); a rate
-- with a zero denominator is null; counts and sums are never
-- null (except an indicator without partner scope, at partner scope); display_value is the
-- value formatted by unit.
with checked as (
    select
        iv.*,
        catalogue.unit,
        catalogue.suppression_rule,
        catalogue.partner_scope,
        coalesce(case catalogue.suppression_rule
            when 'count' then iv.value between 1 and 4
            when 'rate' then iv.denominator between 1 and 4
                or (catalogue.unit = 'rate' and iv.numerator between 1 and 4)
            when 'recipients' then recipients.value between 1 and 4
            else false
        end, false) as should_suppress
    from {{ ref('indicator_values') }} as iv
    inner join {{ ref('indicators') }} as catalogue
        on iv.indicator_code = catalogue.indicator_code
    left join {{ ref('int_indicator__recipients') }} as recipients
        on iv.indicator_code = recipients.indicator_code and iv.period = recipients.period
        and iv."window" = recipients."window" and iv.scope = recipients.scope
        and iv.scope_code is not distinct from recipients.scope_code
)

select indicator_code, period, "window", scope, scope_code, value, denominator,
    is_suppressed, display_value, 'suppression' as broken_rule
from checked
where coalesce(suppression = 'primary', false) <> should_suppress
    or (suppression = 'secondary') and not is_suppressed
    or (suppression is null) and is_suppressed
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
        when unit = 'rate' then {{ fixed_decimals('value', 4) }}
        when unit = 'EUR' then {{ fixed_decimals('value', 2) }}
        else cast(cast(round(value) as bigint) as varchar)
    end
