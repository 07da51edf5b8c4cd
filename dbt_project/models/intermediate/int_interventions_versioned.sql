-- Interventions of the version that counts for each partner-month.
with current_versions as (
    select submission_id, partner_code, period
    from {{ ref('int_submissions_versioned') }}
    where table_name = 'interventi'
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
