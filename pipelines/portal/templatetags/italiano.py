"""Template filters: a period as its Italian month (`{{ p|mese }}` -> `marzo 2026`)."""

from __future__ import annotations

from django import template

from pipelines import formats

register = template.Library()


@register.filter
def mese(period: str) -> str:
    return formats.month(str(period))
