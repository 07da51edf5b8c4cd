"""Alerting: the submission calendar, alert rules and their delivery."""
