"""Synthetic partner drops: fictional people, monthly reports in the partners' own habits.

`generate` fills an inbox (`inbox/<PARTNER>/<YYYY-MM>/<file>`) with the files 28 partners
would drop over some months, mistakes included, and writes beside it (never inside it) the
ground truth: a manifest of every file with its arrival time, expected verdict and injected
issues, and the clean rows that should reach the warehouse. Everything follows from the seed.
Every person is fictional; codici fiscali are built, never looked up.
"""
