"""The dock: doors and the carrier each serves, cartons loaded onto trucks, manifests."""
