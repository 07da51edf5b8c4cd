with services as (
    select * from {{ ref('services') }}
),

areas as (
    select * from {{ ref('areas') }}
)

select
    services.service_code,
    services.area_code,
    areas.area_label_it,
    services.service_label_it,
    services.is_monetary,
    services.anonymous_allowed,
    services.outcome_required
from services
inner join areas on services.area_code = areas.area_code
