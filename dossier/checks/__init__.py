"""Lints: uncited claims, weak or ungraded sources, players and positions, as warnings with path:line."""
