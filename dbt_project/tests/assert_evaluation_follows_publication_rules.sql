{{ config(severity='error', meta={'dagster': {'ref': {'name': 'reach_by_municipality'}}}) }}
-- The evaluation marts show no count from 1 to 4, and no rate of a suppressed count.
select 'reach_by_municipality' as mart, period as cell
from {{ ref('reach_by_municipality') }}
where persons_display in ('1', '2', '3', '4') or minors_display in ('1', '2', '3', '4')
    or households_display in ('1', '2', '3', '4')
    or (persons_display = '<5') <> (persons_per_1000_display = '<5')
    or (minors_display = '<5') <> (minors_per_1000_minors_display = '<5')
union all
select 'cohort_outcomes' as mart, cohort as cell
from {{ ref('cohort_outcomes') }}
where (cohort_size between 1 and 4 or achieved between 1 and 4) and display_value <> '<5'
