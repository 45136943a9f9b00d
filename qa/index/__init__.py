"""Stage 2: passages -> vectors, token vectors, vocabulary -> a saved Index (manifest, atomic writes)."""
