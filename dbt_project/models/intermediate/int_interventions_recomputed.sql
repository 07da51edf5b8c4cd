-- What an incremental build recomputes the person and household indicators from: the rows of
-- the changed months (macros/incremental.sql) and the whole history of every person and household
-- that has rows in them. What changes from the last kept month on depends on those keys only
-- (macros/incremental.sql). Empty in a full build, which reads int_interventions_scoped.
{% if changed_month() %}
with changed as (
    select person_id, partner_code, household_code from {{ ref('int_interventions_scoped') }}
    where period >= {{ changed_from() }}
),

persons as (
    select distinct person_id from changed where person_id is not null
),

households as (
    select distinct partner_code, household_code from changed where household_code is not null
)

select scoped.* from {{ ref('int_interventions_scoped') }} as scoped
left join persons on scoped.person_id = persons.person_id
left join households
    on scoped.partner_code = households.partner_code
    and scoped.household_code = households.household_code
where scoped.period >= {{ changed_from() }}
    or persons.person_id is not null
    or households.partner_code is not null
{% else %}
select * from {{ ref('int_interventions_scoped') }} where false
{% endif %}
