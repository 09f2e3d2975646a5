"""chain/substrate room."""
