"""What changed between two versions of a dossier: comparison, the older version, the report."""
