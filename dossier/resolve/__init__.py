"""Resolve: Markdown read by pandoc, citations formatted, notes numbered, fragments, lints."""
