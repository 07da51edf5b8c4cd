-- Every current expense line once per scope it counts in.
{{ in_every_scope(ref('int_expenses_enriched')) }}
