"""The partner portal: the same platform in a browser (interfaces.md, "Partner portal (web)").

A Django project inside the package: partners send their monthly file and read the verdict at
once, the steward sees the calendar, the rejected and held files, the alerts and approvals,
the analysts the published report and indicators. Views are thin wiring over the pipeline's
own functions (validation, inbox, calendar, approvals); Dagster never runs in the web process.
"""
