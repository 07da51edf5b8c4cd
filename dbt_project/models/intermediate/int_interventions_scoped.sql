-- Every current intervention once per scope it counts in: the partnership, its partner's
-- consortium, its partner. Indicators group this by (scope, scope_code).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ delete_changed_months() }}") }}
with current_rows as (
    select * from {{ ref('int_interventions_current') }}
    where true{{ only_changed_months() }}
)

{{ in_every_scope('current_rows') }}
