-- LAV_EMPLOYED_6M: each person's entry into the LAV area within the scope (their first LAV
-- intervention there) and whether a LAV04 hire (ASSUNTO_TD, ASSUNTO_TI) followed within 6
-- months of it. One row per scope and person; cohort_outcomes groups them by entry month.
with lav as (
    select scope, scope_code, person_id, intervention_date, service_code, outcome_code
    from {{ ref('int_interventions_scoped') }}
    where area_code = 'LAV' and person_id is not null
),

entries as (
    select scope, scope_code, person_id, min(intervention_date) as entry_date
    from lav
    group by scope, scope_code, person_id
),

hires as (
    select scope, scope_code, person_id, intervention_date
    from lav
    where service_code = 'LAV04' and outcome_code in ('ASSUNTO_TD', 'ASSUNTO_TI')
)

select
    'LAV_EMPLOYED_6M' as indicator_code,
    entries.scope,
    entries.scope_code,
    entries.person_id as member_id,
    entries.entry_date,
    count(hires.person_id) > 0 as achieved
from entries
left join hires
    on entries.scope = hires.scope
    and entries.scope_code is not distinct from hires.scope_code
    and entries.person_id = hires.person_id
    and hires.intervention_date <= {{ within_months_of('entries.entry_date', 6) }}
group by entries.scope, entries.scope_code, entries.person_id, entries.entry_date
