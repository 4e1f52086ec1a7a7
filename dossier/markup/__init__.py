"""Markdown through Pandoc: running pandoc, its AST as typed values, lines, HTML fragments."""
