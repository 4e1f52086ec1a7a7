"""Citations through Pandoc's citeproc: styles, numeric markers, reliability grades, sources."""
