"""Alerting wiring: the daily evaluation of the rules and the run failure sensor."""
