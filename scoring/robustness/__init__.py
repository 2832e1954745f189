"""How much to trust a rank (SPEC extension 5): rank intervals under weight changes, the influence
of each dimension, and agreement between two evaluators."""
