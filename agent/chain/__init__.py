"""The chain port's implementations: `substrate` (real nodes) and `sandbox` (in-process)."""
