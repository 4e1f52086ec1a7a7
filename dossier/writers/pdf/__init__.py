"""The print PDF: one WeasyPrint pass, or parts laid out in parallel and merged."""
