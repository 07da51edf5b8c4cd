"""`python -m pipelines.synthetic --out DIR ...`: DIR/inbox and DIR/synthetic_manifest.json."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from pipelines.synthetic.generator import MANIFEST_NAME, GeneratorConfig, generate


def main(argv: list[str] | None = None) -> int:
    defaults = GeneratorConfig()
    p = argparse.ArgumentParser(
        prog="python -m pipelines.synthetic",
        description="Write synthetic partner drops (fictional people).",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for inbox/ and the manifest")
    p.add_argument("--partners", type=int, default=defaults.partners)
    p.add_argument("--months", type=int, default=defaults.months)
    p.add_argument(
        "--rows",
        type=int,
        default=defaults.rows_per_file,
        help="mean interventions per partner-month",
    )
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--start", default=defaults.start_period, help="first period, YYYY-MM")
    args = p.parse_args(argv)
    config = GeneratorConfig(
        seed=args.seed,
        partners=args.partners,
        start_period=args.start,
        months=args.months,
        rows_per_file=args.rows,
    )
    try:
        config.check()
    except ValueError as exc:
        p.error(str(exc))
    started = time.perf_counter()
    manifest = generate(args.out / "inbox", config, args.out / MANIFEST_NAME)
    elapsed = time.perf_counter() - started
    statuses = Counter(f["expected_status"] for f in manifest["files"])
    print(
        f"{len(manifest['files'])} files in {args.out / 'inbox'} in {elapsed:.1f} s "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}); "
        f"manifest {args.out / MANIFEST_NAME}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
