-- One accepted intervention of the version that counts; pseudonymous person_id only.
select * from {{ ref('int_interventions_current') }}
