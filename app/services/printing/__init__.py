"""Printing with a record: every print and reprint logged, failures included."""
