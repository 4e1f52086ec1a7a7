"""Reading a dossier from disk: metadata YAML with lines, confined text files, references, remote images (opt-in)."""
