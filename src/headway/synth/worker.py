"""`python -m headway.synth.worker JOB`: write some formats of a synthetic LA (see synthesise).

JOB is JSON: out_dir, seed, la_code, years, id_width, children, formats. Prints the
manifest entries written, as JSON [[year, format, [files]], ...], on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from headway.synth import _write
from headway.synth.history import Context


def main(argv: list[str]) -> int:
    job = json.loads(argv[0])
    ctx = Context(
        seed=int(job["seed"]),
        la_code=str(job["la_code"]),
        years=tuple(int(y) for y in job["years"]),
        id_width=int(job["id_width"]),
    )
    files = _write(Path(job["out_dir"]), ctx, int(job["children"]), tuple(job["formats"]), None)
    json.dump(files, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
