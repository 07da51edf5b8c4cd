-- How many persons or households received each sum of money that is published (indicators.md:
-- POV_CASH_EUR and CASA_ARREARS_EUR are suppressed when 1 to 4 received it). Rows carry the
-- code of the amount they qualify; value is the number of recipients.
{% set household = "partner_code || '|' || household_code" %}
{{ distinct_indicator('POV_CASH_EUR', 'person_id', "service_code in ('POV02', 'POV03')") }}
union all
{{ distinct_indicator('CASA_ARREARS_EUR', household, "service_code = 'CASA01'") }}
