"""What the bounded look at a workbook (scoring.xlsx_check) costs next to reading it (issue 27).

    python bench/xlsx_precheck.py [results.xlsx]

Without a file, writes the synthetic province round (≈ 595,000 findings, bench/synth.py) as one
worksheet first (about a minute). Prints wall and CPU seconds of the pre-check and of
``read_sheets`` (pre-check + calamine + frames), medians of three runs: on a shared machine the CPU
seconds are the steadier figure.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring.tables import RESULT_COLUMNS, InputFile, read_sheets
from scoring.xlsx_check import check_xlsx


def timed(fn, runs: int = 3) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
    else:
        import synth
        from run import write_xlsx

        _, results = synth.findings(600_000)
        path = Path(tempfile.mkdtemp()) / "results-600k.xlsx"
        write_xlsx(results, path)
    f = InputFile.from_path(path)
    (extent,) = [e for e in check_xlsx(f.name, f.data) if e.cells]
    check_wall, check_cpu = timed(lambda: check_xlsx(f.name, f.data))
    read_wall, read_cpu = timed(lambda: read_sheets(f, RESULT_COLUMNS))
    print(f"{path.name}: {len(f.data) / 2**20:.1f} MB, {extent.rows - 1:,} rows × {extent.columns} columns")
    print(f"pre-check: {check_wall:.2f} s wall, {check_cpu:.2f} s CPU")
    print(f"read_sheets (pre-check included): {read_wall:.2f} s wall, {read_cpu:.2f} s CPU")
    print(f"pre-check share of the read: {check_cpu / read_cpu:.0%} of CPU")


if __name__ == "__main__":
    main()
