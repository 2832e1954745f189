"""Service performance measured from the platforms' own records (SPEC extension 6): cases (办件),
ratings (好差评) and the posts of the units' new-media accounts (政务新媒体)."""

from scoring.records.run import RecordsRun, compute_records, records_checks

__all__ = ["RecordsRun", "compute_records", "records_checks"]
