"""Citations through Pandoc's citeproc: CSL styles, numeric markers, reliability grades."""
