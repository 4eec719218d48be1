"""What the floor is made of: catalog, location and stock imports, operators, settings."""
