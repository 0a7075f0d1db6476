"""Quota allocation and sample selection: pure Python, no Flask, no database (issue 3)."""
