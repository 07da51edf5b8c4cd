-- Every current intervention once per scope it counts in: the partnership, its partner's
-- consortium, its partner. Indicators group this by (scope, scope_code).
{{ in_every_scope(ref('int_interventions_current')) }}
