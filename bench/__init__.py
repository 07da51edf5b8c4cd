"""Benchmarks: `make bench` (tiers S and M), `make bench-l` (tier L). Never part of the tests."""
