"""The EPUB 3: chapters, pop-up footnotes, nav, print page list, accessibility metadata."""
