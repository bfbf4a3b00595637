"""The bad-input corpus (cases.py): built in code, so nothing multi-megabyte is committed."""
