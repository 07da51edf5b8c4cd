-- Outcome rates on the latest outcome in the window (persons; households for CASA01).
{{ outcome_indicator('LEG_ADS_SUCCESS_RATE', 'LEG02', ['NOMINA_OTTENUTA'], 'person_id') }}
union all
{{ outcome_indicator('LAV_PLACEMENT_RATE', 'LAV04', ['ASSUNTO_TD', 'ASSUNTO_TI'], 'person_id') }}
union all
{{ outcome_indicator('LAV_INTERNSHIP_COMPLETION', 'LAV02', ['CONCLUSO'], 'person_id') }}
union all
{{ outcome_indicator('CASA_EVICTION_PREVENTION_RATE', 'CASA01',
    ['SFRATTO_EVITATO', 'NUOVO_ALLOGGIO'], "partner_code || '|' || household_code") }}
