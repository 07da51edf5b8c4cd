-- POV_TO_LAV_12M: each person's entry into the POV area within the scope (their first POV
-- intervention there), unless they had a LAV intervention in the scope on or before that
-- day, and whether a LAV intervention followed within 12 months of it. One row per scope and
-- person of the cohort.
with scoped as (
    select scope, scope_code, person_id, area_code, intervention_date
    from {{ ref('int_interventions_scoped') }}
    where area_code in ('POV', 'LAV') and person_id is not null
),

entries as (
    select scope, scope_code, person_id, min(intervention_date) as entry_date
    from scoped
    where area_code = 'POV'
    group by scope, scope_code, person_id
),

lav as (
    select scope, scope_code, person_id, intervention_date
    from scoped
    where area_code = 'LAV'
),

followed as (
    select
        entries.scope,
        entries.scope_code,
        entries.person_id,
        entries.entry_date,
        count(lav.person_id) filter (where lav.intervention_date <= entries.entry_date) as lav_before,
        count(lav.person_id) filter (
            where lav.intervention_date > entries.entry_date
            and lav.intervention_date <= {{ within_months_of('entries.entry_date', 12) }}
        ) as lav_after
    from entries
    left join lav
        on entries.scope = lav.scope
        and entries.scope_code is not distinct from lav.scope_code
        and entries.person_id = lav.person_id
    group by entries.scope, entries.scope_code, entries.person_id, entries.entry_date
)

select
    'POV_TO_LAV_12M' as indicator_code,
    scope,
    scope_code,
    person_id as member_id,
    entry_date,
    lav_after > 0 as achieved
from followed
where lav_before = 0
