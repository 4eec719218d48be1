"""File formats: order files from the shops, master-data CSV, and the tables under both."""
