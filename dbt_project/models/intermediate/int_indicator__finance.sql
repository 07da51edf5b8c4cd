-- Spend, co-financing share, cost per person reached, budget burn.
with spend as (
    {{ ratio_indicator('FIN_COFIN_SHARE', 'cofinancing_eur', 'total_eur', source='int_expenses_scoped') }}
),

grid as (
    select distinct period, "window", scope, scope_code
    from {{ ref('int_indicator_grid') }}
),

persons as (
    select period, "window", scope, scope_code, value as persons
    from {{ ref('int_indicator__reach') }}
    where indicator_code = 'REACH_PERSONS'
),

budgets as (
    select * from {{ ref('int_scope_budgets') }}
),

combined as (
    select
        grid.period, grid."window", grid.scope, grid.scope_code,
        coalesce(spend.denominator, 0) as spend_eur,
        spend.numerator as cofinancing_eur,
        coalesce(persons.persons, 0) as persons,
        budgets.budget_eur
    from grid
    left join spend
        on grid.period = spend.period and grid."window" = spend."window"
        and grid.scope = spend.scope and grid.scope_code is not distinct from spend.scope_code
    left join persons
        on grid.period = persons.period and grid."window" = persons."window"
        and grid.scope = persons.scope and grid.scope_code is not distinct from persons.scope_code
    left join budgets
        on grid.scope = budgets.scope and grid.scope_code is not distinct from budgets.scope_code
)

select * from spend
union all
select {{ indicator_row('FIN_SPEND_EUR', 'spend_eur') }} from combined
union all
select {{ indicator_row('FIN_COST_PER_PERSON',
    'case when persons = 0 then null else ' ~ divide('spend_eur', 'persons') ~ ' end', 'spend_eur', 'persons') }}
from combined
union all
select {{ indicator_row('FIN_BUDGET_BURN',
    "case when \"window\" = 'cumulative' and budget_eur > 0 then " ~ divide('spend_eur', 'budget_eur') ~ " end",
    "case when \"window\" = 'cumulative' then spend_eur end",
    "case when \"window\" = 'cumulative' then budget_eur end") }}
from combined
