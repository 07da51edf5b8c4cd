select
    istat_code,
    municipality_name,
    province_code,
    region_name,
    is_ambito_cremasco,
    residence_class
from {{ ref('municipalities') }}
union all
select 'SFD', 'Senza fissa dimora', null, null, false, 'SFD'
