-- Persons and households reached (distinct counts). Household = (partner, household code).
{% set household = "partner_code || '|' || household_code" %}
-- depends_on: {{ ref('int_interventions_recomputed') }}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with computed as (
    {{ distinct_indicator('REACH_PERSONS', 'person_id') }}
    union all
    {{ distinct_indicator('REACH_HOUSEHOLDS', household) }}
    union all
    {{ distinct_indicator('REACH_HOUSEHOLDS_MINORS', household, 'household_minors >= 1') }}
    union all
    {{ distinct_indicator('REACH_MINORS_DIRECT', 'person_id', 'is_minor') }}
    union all
    {{ distinct_indicator('LEG_ADS_OPENED', 'person_id', "service_code = 'LEG02'") }}
    union all
    {{ distinct_indicator('LAV_PERSONS', 'person_id', "area_code = 'LAV'") }}
    union all
    {{ distinct_indicator('CASA_ARREARS_HOUSEHOLDS', household, "service_code = 'CASA01'") }}
    union all
    {{ distinct_indicator('CASA_ARREARS_HOUSEHOLDS_MINORS', household,
        "service_code = 'CASA01' and household_minors >= 1") }}
    union all
    {{ multi_indicator('PERSONS_MULTI_PARTNER', 'partner_code', ['partnership', 'consortium']) }}
    union all
    {{ multi_indicator('PERSONS_MULTI_AREA', 'area_code') }}
)

{{ counts_from_changed_months('computed', nulls=['numerator', 'denominator']) }}
