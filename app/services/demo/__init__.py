"""The demo warehouse: master data, operators and a day of orders, via the real services."""
