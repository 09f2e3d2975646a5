"""guard room."""
