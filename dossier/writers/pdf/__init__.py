"""The print PDF: one WeasyPrint pass or parallel parts merged into one file, notes checked on their pages."""
