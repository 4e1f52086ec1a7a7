"""Reading a dossier from disk: YAML with lines, confined text, references, remote images."""
