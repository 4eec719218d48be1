"""Waves released as pick lists, claimed and walked scan by scan, shorts handled, lists finished."""
