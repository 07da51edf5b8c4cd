-- One accepted intervention of the version that counts; pseudonymous person_id only.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
select * from {{ ref('int_interventions_current') }}
where true{{ only_changed_months() }}
