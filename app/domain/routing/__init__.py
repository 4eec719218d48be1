"""Warehouse geometry, the shortest pick walks through it, and orders batched onto carts."""
