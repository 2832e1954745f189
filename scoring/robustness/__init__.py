"""How much to trust a rank (SPEC extension 5): rank intervals under weight changes, the influence
of each dimension, and agreement between two evaluators; and (issue 33) whether the rubric's checks
measure anything (the quality audit) and re-check samples of an evaluator's findings (抽查复核)."""
