{{ config(severity='error', meta={'dagster': {'ref': {'name': 'indicator_values'}}}) }}
-- Every indicator of the catalogue has a row for every period, window and scope.
with expected as (
    select count(*) as n from {{ ref('int_indicator_grid') }}
),

actual as (
    select count(*) as n from {{ ref('indicator_values') }}
)

select expected.n as expected_rows, actual.n as actual_rows
from expected cross join actual
where expected.n <> actual.n
