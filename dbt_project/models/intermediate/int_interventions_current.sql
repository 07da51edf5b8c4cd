-- Current interventions with their partner's consortium, age, age band and residence class.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with interventions as (
    select * from {{ ref('int_interventions_versioned') }}
    where true{{ only_changed_months() }}
),

partners as (
    select partner_code, consortium_code from {{ ref('partners') }}
),

municipalities as (
    select istat_code, residence_class from {{ ref('municipalities') }}
),

typed as (
    select
        interventions.*,
        cast(extract(year from interventions.intervention_date) as bigint) - interventions.birth_year as age
    from interventions
)

select
    typed.submission_id,
    typed.row_number,
    typed.partner_code,
    partners.consortium_code,
    typed.period,
    typed.intervention_code,
    typed.person_id,
    typed.is_anonymous,
    typed.birth_year,
    typed.age,
    typed.age <= 17 as is_minor,
    cast(case
        when typed.age <= 5 then '0-5'
        when typed.age <= 11 then '6-11'
        when typed.age <= 17 then '12-17'
        when typed.age <= 29 then '18-29'
        when typed.age <= 54 then '30-54'
        else '55+'
    end as varchar) as age_band,
    typed.sex,
    typed.municipality_code,
    case when typed.municipality_code = 'SFD' then 'SFD'
        else coalesce(municipalities.residence_class, 'OUTSIDE') end as residence_class,
    coalesce(typed.citizenship, 'unknown') as citizenship,
    typed.household_code,
    typed.household_members,
    typed.household_minors,
    typed.area_code,
    typed.service_code,
    typed.intervention_date,
    typed.amount_eur,
    typed.hours,
    typed.outcome_code,
    typed.referrer_code
from typed
inner join partners on typed.partner_code = partners.partner_code
left join municipalities on typed.municipality_code = municipalities.istat_code
