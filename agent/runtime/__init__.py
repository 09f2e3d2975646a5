"""Joins the rooms: the tick, the scheduler, reload, health, metrics and notifications."""
