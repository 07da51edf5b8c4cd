-- Interventions of the version that counts for each partner-month (kept by month: an
-- incremental build recomputes the changed months only, macros/incremental.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with current_versions as (
    select submission_id, partner_code, period
    from {{ ref('int_submissions_versioned') }}
    where table_name = 'interventi'{{ only_changed_months() }}
),

interventions as (
    select * from {{ ref('stg_raw__interventions') }}
)

select
    current_versions.partner_code,
    current_versions.period,
    interventions.*
from interventions
inner join current_versions
    on interventions.submission_id = current_versions.submission_id
