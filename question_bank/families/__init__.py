"""Problem families, one module each; the registry finds them here."""
