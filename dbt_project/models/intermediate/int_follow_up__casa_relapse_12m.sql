-- CASA_RELAPSE_12M: each household's first CASA01 intervention with outcome SFRATTO_EVITATO
-- or NUOVO_ALLOGGIO within the scope, and whether another CASA01 intervention (any outcome)
-- came more than 60 days after it and within 12 months of it. A household is the partner's
-- codice nucleo (anonymous rows included). One row per scope and household of the cohort.
with arrears as (
    select scope, scope_code, partner_code || '|' || household_code as household_id,
        intervention_date, outcome_code
    from {{ ref('int_interventions_scoped') }}
    where service_code = 'CASA01' and household_code is not null
),

entries as (
    select scope, scope_code, household_id, min(intervention_date) as entry_date
    from arrears
    where outcome_code in ('SFRATTO_EVITATO', 'NUOVO_ALLOGGIO')
    group by scope, scope_code, household_id
)

select
    'CASA_RELAPSE_12M' as indicator_code,
    entries.scope,
    entries.scope_code,
    entries.household_id as member_id,
    entries.entry_date,
    count(arrears.household_id) > 0 as achieved
from entries
left join arrears
    on entries.scope = arrears.scope
    and entries.scope_code is not distinct from arrears.scope_code
    and entries.household_id = arrears.household_id
    and arrears.intervention_date > entries.entry_date + interval '60 day'
    and arrears.intervention_date <= {{ within_months_of('entries.entry_date', 12) }}
group by entries.scope, entries.scope_code, entries.household_id, entries.entry_date
