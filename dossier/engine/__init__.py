"""The only code that touches WeasyPrint's internals: version gate, scoped patches, views."""
