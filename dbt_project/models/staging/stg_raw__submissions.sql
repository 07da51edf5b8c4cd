select
    submission_id,
    partner_code,
    period,
    file_name,
    sha256,
    received_at,
    processed_at,
    version,
    status,
    status in ('accepted', 'accepted_with_warnings') as is_accepted,
    status = 'held' as is_held,
    delivers_interventi,
    delivers_spese,
    rows_read,
    rows_accepted,
    errors,
    warnings
from {{ source('raw', 'submissions') }}
