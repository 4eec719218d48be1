"""The pack bench: units checked into cartons, boxes and carriers chosen, documents printed."""
