-- How many persons or households each indicator counts per category of each breakdown,
-- described by their latest intervention in the window (macros/breakdowns.sql).
{% set household = "partner_code || '|' || household_code" %}
-- depends_on: {{ ref('int_interventions_recomputed') }}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with computed as (
    {{ breakdown_counts('REACH_PERSONS', 'person_id') }}
    union all
    {{ breakdown_counts('REACH_MINORS_DIRECT', 'person_id', 'is_minor') }}
    union all
    {{ breakdown_counts('LEG_ADS_OPENED', 'person_id', "service_code = 'LEG02'") }}
    union all
    {{ breakdown_counts('LAV_PERSONS', 'person_id', "area_code = 'LAV'") }}
    union all
    {{ breakdown_counts('PERSONS_MULTI_PARTNER', 'person_id', multi='partner_code',
        scopes=['partnership', 'consortium']) }}
    union all
    {{ breakdown_counts('PERSONS_MULTI_AREA', 'person_id', multi='area_code') }}
    union all
    {{ breakdown_counts('REACH_HOUSEHOLDS', household) }}
    union all
    {{ breakdown_counts('REACH_HOUSEHOLDS_MINORS', household, 'household_minors >= 1') }}
    union all
    {{ breakdown_counts('CASA_ARREARS_HOUSEHOLDS', household, "service_code = 'CASA01'") }}
    union all
    {{ breakdown_counts('CASA_ARREARS_HOUSEHOLDS_MINORS', household,
        "service_code = 'CASA01' and household_minors >= 1") }}
    union all
    {{ breakdown_counts('MINORS_IN_HOUSEHOLDS', household, weight='household_minors') }}
)

{{ counts_from_changed_months('computed', keys=['dimension', 'dimension_value']) }}
