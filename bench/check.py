"""The partner's pre-check as a partner waits for it: `python -m bench.check`.

A 25-row file (interventi, CSV, from the synthetic generator) checked by `osservatorio
check` in a process of its own: cold (no server: the process reads and validates alone)
and warm (`check --serve` running on the workspace, as `make dev` starts it). Prints the
median and the slowest of each, the goals, and the machine's load; writes
bench/results/check.json.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
ROWS = 25


def _file_of_25_rows(folder: Path) -> Path:
    from pipelines.synthetic.generator import GeneratorConfig, generate

    generate(
        folder / "gen",
        GeneratorConfig(
            seed=5,
            partners=12,
            start_period="2026-03",
            months=1,
            rows_per_file=60,
            error_rate=0,
            warning_rate=0,
            unreadable_rate=0,
            correction_rate=0,
        ),
    )
    for source in sorted((folder / "gen").glob("*/2026-03/*interventi.csv")):
        lines = source.read_bytes().splitlines(keepends=True)  # in the file's own encoding
        if len(lines) > ROWS:
            out = folder / "rendiconto_marzo.csv"
            out.write_bytes(b"".join(lines[: ROWS + 1]))
            return out
    raise RuntimeError("no generated CSV file has 25 rows")


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.stdout


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-check-", dir="/tmp") as tmp:
        folder = Path(tmp)
        path = _file_of_25_rows(folder)
        env = {**os.environ, "OSSERVATORIO_HOME": str(folder / "ws")}
        for name in ("OSSERVATORIO_START", "OSSERVATORIO_END"):
            env.pop(name, None)
        exe = str(Path(sys.executable).with_name("osservatorio"))
        cmd = [exe, "check", str(path), "--partner", "P01", "--period", "2026-03"]
        cold = [_timed(cmd, env) for _ in range(5)]
        server = subprocess.Popen(
            [exe, "check", "--serve"], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            server.stdout.readline()  # listening
            warm = [_timed(cmd, env) for _ in range(10)]
        finally:
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=30)
    same = {out for _, out in cold} == {out for _, out in warm}
    verdict = cold[0][1].splitlines()[1] if cold[0][1] else "no output"
    result = {
        "file_rows": ROWS,
        "cold_median_s": round(statistics.median(t for t, _ in cold), 3),
        "cold_max_s": round(max(t for t, _ in cold), 3),
        "warm_median_s": round(statistics.median(t for t, _ in warm), 3),
        "warm_max_s": round(max(t for t, _ in warm), 3),
        "same_output": same,
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "check.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"check of a {ROWS}-row CSV: {verdict}")
    print(
        f"   cold: median {result['cold_median_s']} s, slowest {result['cold_max_s']} s "
        f"(goal <= 3 s) {'met' if result['cold_median_s'] <= 3 else 'NOT met'}"
    )
    print(
        f"   warm: median {result['warm_median_s']} s, slowest {result['warm_max_s']} s "
        f"(goal <= 0.5 s) {'met' if result['warm_median_s'] <= 0.5 else 'NOT met'}"
    )
    print(f"   same output cold and warm: {same}; load average {result['load_avg_1_5_15']}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
