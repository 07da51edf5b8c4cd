with partners as (
    select * from {{ ref('partners') }}
),

consortia as (
    select * from {{ ref('consortia') }}
)

select
    partners.partner_code,
    partners.partner_name,
    partners.consortium_code,
    consortia.consortium_name,
    partners.budget_eur,
    partners.comune_eur,
    partners.cofinancing_eur,
    partners.active_from,
    partners.active_to,
    partners.is_placeholder
from partners
inner join consortia on partners.consortium_code = consortia.consortium_code
