"""Markdown through Pandoc: typed blocks with source lines, raw HTML sanitised, HTML out."""
