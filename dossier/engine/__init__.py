"""The only code that touches WeasyPrint's private internals: version gate, scoped patches, typed views."""
