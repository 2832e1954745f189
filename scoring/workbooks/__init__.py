"""The Excel files the tool writes: the evaluator's template and the reports. Every text cell goes
through one safe writer (``xlsx``), so no text ever becomes a live formula."""
