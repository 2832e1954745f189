"""Is the rubric measuring anything, and is the evaluators' work right (issue 33): indicator
quality of a scored round, and re-check samples of stored findings."""
