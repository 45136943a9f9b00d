"""Stage 1: files -> Document (the text offsets point into) -> Passage (chunking, pure)."""
