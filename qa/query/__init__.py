"""Stage 3: read a question -> Query (language, frame and topic, terms, words read as others)."""
