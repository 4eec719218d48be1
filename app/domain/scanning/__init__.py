"""Scans: one scanned string classified into a typed value, by the warehouse's patterns."""
