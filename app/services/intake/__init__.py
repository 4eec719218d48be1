"""Orders arrive: received, acknowledged, verified, nameless lines mapped to products."""
