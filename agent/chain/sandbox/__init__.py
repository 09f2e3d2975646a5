"""chain/sandbox room."""
