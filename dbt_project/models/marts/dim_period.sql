select * from {{ ref('int_periods') }}
