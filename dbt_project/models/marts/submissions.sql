-- The ledger: one row per distinct received file. is_current: the file is the version that
-- counts for at least one table of its partner-month.
with submissions as (
    select * from {{ ref('stg_raw__submissions') }}
),

current_versions as (
    select distinct submission_id from {{ ref('int_submissions_versioned') }}
)

select
    submissions.submission_id,
    submissions.partner_code,
    submissions.period,
    submissions.file_name,
    submissions.sha256,
    submissions.received_at,
    submissions.processed_at,
    submissions.version,
    submissions.status,
    current_versions.submission_id is not null as is_current,
    submissions.delivers_interventi,
    submissions.delivers_spese,
    submissions.rows_read,
    submissions.rows_accepted,
    submissions.errors,
    submissions.warnings
from submissions
left join current_versions on submissions.submission_id = current_versions.submission_id
