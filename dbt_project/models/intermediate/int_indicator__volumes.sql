-- Interventions counted and amounts summed; the share referred by the social service.
{{ sum_indicator('REACH_CONTACTS_ANON', '1', 'is_anonymous') }}
union all
{{ sum_indicator('POV_FOOD_CONTACTS', '1', "service_code in ('POV01', 'POV04')") }}
union all
{{ sum_indicator('POV_CASH_EUR', 'coalesce(amount_eur, 0)', "service_code in ('POV02', 'POV03')") }}
union all
{{ sum_indicator('CASA_ARREARS_EUR', 'coalesce(amount_eur, 0)', "service_code = 'CASA01'") }}
union all
{{ ratio_indicator('REFERRAL_SOCIAL_SERVICE',
    "case when referrer_code = 'SERVIZIO_SOCIALE' then 1 else 0 end",
    'case when referrer_code is not null then 1 else 0 end') }}
