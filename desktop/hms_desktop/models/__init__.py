"""Qt item models over API data."""
