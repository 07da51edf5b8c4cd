-- One value per indicator, period, window and scope, with suppression for publication.
-- Each family of indicators is computed by an intermediate model int_indicator__<family>;
-- adding an indicator is its SQL there (or a new model named in this list) and its row in
-- seeds/indicators.csv.
{% set indicator_models = [
    'int_indicator__data_quality',
    'int_indicator__finance',
    'int_indicator__minors_in_households',
    'int_indicator__outcomes',
    'int_indicator__reach',
    'int_indicator__shares',
    'int_indicator__volumes',
] %}
with computed as (
    {% for name in indicator_models %}
    select indicator_code, period, "window", scope, scope_code, value, numerator, denominator
    from {{ ref(name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

catalogue as (
    select indicator_code, unit, suppression_rule, partner_scope from {{ ref('indicators') }}
),

grid as (
    select * from {{ ref('int_indicator_grid') }}
),

joined as (
    select
        grid.indicator_code,
        grid.period,
        grid."window",
        grid.scope,
        grid.scope_code,
        catalogue.unit,
        catalogue.suppression_rule,
        case
            -- Rates are undefined on a zero denominator; indicators that do not apply to a
            -- scope (partner_scope = false) have no value there; counts and sums over
            -- nothing are 0.
            when grid.scope = 'partner' and not catalogue.partner_scope then null
            when catalogue.unit = 'rate' or catalogue.indicator_code in ('FIN_COST_PER_PERSON')
                or catalogue.indicator_code like 'DQ_%' then computed.value
            else coalesce(computed.value, 0)
        end as value,
        computed.numerator,
        computed.denominator
    from grid
    inner join catalogue on grid.indicator_code = catalogue.indicator_code
    left join computed
        on grid.indicator_code = computed.indicator_code
        and grid.period = computed.period
        and grid."window" = computed."window"
        and grid.scope = computed.scope
        and grid.scope_code is not distinct from computed.scope_code
),

recipients as (
    select * from {{ ref('int_indicator__recipients') }}
),

finality as (
    -- true where every partner-month the value depends on is approved (rebuilt every build:
    -- approving or reopening changes no data)
    select period, "window", scope, scope_code, is_final
    from {{ ref('int_indicator_finality') }}
),

suppressed as (
    -- Primary suppression (indicators.md). Secondary suppression, over the linked cells of
    -- this table and indicator_breakdowns, is applied after the build by
    -- pipelines/disclosure/ (suppression = 'secondary'), then audited before publication.
    select
        joined.*,
        case joined.suppression_rule
            when 'count' then joined.value between 1 and 4
            -- a rate's numerator is a count unless the rate is money per person
            when 'rate' then joined.denominator between 1 and 4
                or (joined.unit = 'rate' and joined.numerator between 1 and 4)
            when 'recipients' then recipients.value between 1 and 4
            else false
        end as is_suppressed
    from joined
    left join recipients
        on joined.indicator_code = recipients.indicator_code
        and joined.period = recipients.period
        and joined."window" = recipients."window"
        and joined.scope = recipients.scope
        and joined.scope_code is not distinct from recipients.scope_code
)

select
    suppressed.indicator_code,
    suppressed.period,
    suppressed."window",
    suppressed.scope,
    suppressed.scope_code,
    suppressed.value,
    suppressed.numerator,
    suppressed.denominator,
    coalesce(suppressed.is_suppressed, false) as is_suppressed,
    {{ display_value('suppressed.value', 'suppressed.unit', 'suppressed.is_suppressed') }} as display_value,
    case when suppressed.is_suppressed then 'primary' end as suppression,
    coalesce(finality.is_final, false) as is_final
from suppressed
left join finality
    on suppressed.period = finality.period
    and suppressed."window" = finality."window"
    and suppressed.scope = finality.scope
    and suppressed.scope_code is not distinct from finality.scope_code
