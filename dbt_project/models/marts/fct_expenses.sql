-- One expense line of the version that counts for its partner-month.
select * from {{ ref('int_expenses_enriched') }}
