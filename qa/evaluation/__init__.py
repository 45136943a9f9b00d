"""Batch evaluation: eval files -> runs -> metrics -> reports, comparisons and gates."""
