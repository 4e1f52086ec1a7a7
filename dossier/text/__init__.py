"""Text every stage shares: identifiers, characters a document cannot hold, words, media types."""
