"""planner room."""
