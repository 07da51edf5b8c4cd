-- Follow-up of cohorts (indicators.md, "Evaluation"): one row per follow-up indicator, entry
-- month, scope and scope code with a cohort of at least one, from all accepted data. Each
-- indicator is a row of seeds/follow_up_indicators.csv (its horizon) and a model
-- int_follow_up__<code> named in this list (one row per scope and member: entry date,
-- achieved). A cohort is shown once its horizon has ended: entry month + horizon <= the last
-- due period.
{% set follow_up_models = [
    'int_follow_up__casa_relapse_12m',
    'int_follow_up__lav_employed_6m',
    'int_follow_up__pov_to_lav_12m',
] %}
with members as (
    {% for name in follow_up_models %}
    select indicator_code, scope, scope_code, member_id, entry_date, achieved
    from {{ ref(name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

catalogue as (
    select indicator_code, horizon_months from {{ ref('follow_up_indicators') }}
),

last_due as (
    select max(period) as period from {{ ref('int_periods') }} where is_due
),

cohorts as (
    select
        indicator_code,
        {{ month_of('entry_date') }} as cohort,
        scope,
        scope_code,
        count(*) as cohort_size,
        count(*) filter (where achieved) as achieved
    from members
    group by indicator_code, {{ month_of('entry_date') }}, scope, scope_code
),

ended as (
    select cohorts.*, catalogue.horizon_months
    from cohorts
    inner join catalogue on cohorts.indicator_code = catalogue.indicator_code
    cross join last_due
    where {{ month_of("cast(cohorts.cohort || '-01' as date) + interval '1 month' * catalogue.horizon_months") }}
        <= last_due.period
),

suppressed as (
    select
        *,
        {{ divide('achieved', 'cohort_size') }} as rate,
        cohort_size between 1 and 4 or achieved between 1 and 4 as is_suppressed
    from ended
)

select
    indicator_code,
    cohort,
    scope,
    scope_code,
    cohort_size,
    achieved,
    rate,
    horizon_months,
    is_suppressed,
    case when is_suppressed then '<5' else {{ fixed_decimals('100 * rate', 1) }} end as display_value
from suppressed
