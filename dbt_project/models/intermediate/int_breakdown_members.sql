-- Who each person or household indicator counts, with the attributes of their latest
-- intervention in the window; indicator_breakdowns groups them by category.
{% set household = "partner_code || '|' || household_code" %}
{{ breakdown_members('REACH_PERSONS', 'person_id') }}
union all
{{ breakdown_members('REACH_MINORS_DIRECT', 'person_id', 'is_minor') }}
union all
{{ breakdown_members('LEG_ADS_OPENED', 'person_id', "service_code = 'LEG02'") }}
union all
{{ breakdown_members('LAV_PERSONS', 'person_id', "area_code = 'LAV'") }}
union all
{{ breakdown_members('PERSONS_MULTI_PARTNER', 'person_id', multi='partner_code',
    scopes=['partnership', 'consortium']) }}
union all
{{ breakdown_members('PERSONS_MULTI_AREA', 'person_id', multi='area_code') }}
union all
{{ breakdown_members('REACH_HOUSEHOLDS', household) }}
union all
{{ breakdown_members('REACH_HOUSEHOLDS_MINORS', household, 'household_minors >= 1') }}
union all
{{ breakdown_members('CASA_ARREARS_HOUSEHOLDS', household, "service_code = 'CASA01'") }}
union all
{{ breakdown_members('CASA_ARREARS_HOUSEHOLDS_MINORS', household,
    "service_code = 'CASA01' and household_minors >= 1") }}
union all
{{ breakdown_members('MINORS_IN_HOUSEHOLDS', household, weight='household_minors') }}
