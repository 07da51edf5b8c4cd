"""Reporting: the monthly report, the partners' scorecards and the Excel export (Italian).

Every published number is the warehouse's `display_value` (`<5` where suppressed).
"""
