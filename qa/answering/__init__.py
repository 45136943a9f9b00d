"""Stage 5: abstention policy over typed Signals, then an extractive cited answer (or a verified generated one)."""
