select
    submission_id,
    row_number,
    voce as expense_item,
    area as area_code,
    importo_totale as total_eur,
    quota_cofinanziamento as cofinancing_eur,
    note
from {{ source('raw', 'spese') }}
