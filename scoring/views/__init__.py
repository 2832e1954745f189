"""What people read, computed from scored rounds and nothing else: rankings and lost points
(explain), rectification, the year's roll-up, the draft circular, the rubric's summary. No SQL,
no workbook: the store hands rounds in, the workbooks and the app take tables out."""
