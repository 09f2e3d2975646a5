"""Frozen types shared by every room: policies, money, chain snapshots, plans and outcomes."""
