"""Reusable pieces of the desktop's screens."""
