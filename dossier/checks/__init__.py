"""Lints (uncited claims, weak sources, players, positions) as warnings with path:line."""
