"""Stage 4: candidates -> scorers -> fusion -> ranking adjustments -> Retrieval (hits, sentences, Signals)."""
