"""How many syncs and loads a second, with a writer process and reader processes at once?

Runs the stress suite's own workload (``tests/stress/processes.py``,
:func:`readers_during_writes`, the one ``tests/stress/test_readers_during_writes.py``
checks): one process syncs three versions of a 10 x 40 page in turn while
``--readers`` others ``load()`` in a loop. Each reader checks every page it
reads is one of the versions written. On the engine the test suite picks
(``HOMESECTIONS_TEST_ENGINE``, ``HOMESECTIONS_TEST_PG``; PostgreSQL's
``public`` schema of that database is dropped and recreated first), on
SQLite in a temporary file.

Prints one JSON object: ``syncs_per_second`` (the writer's), ``loads_per_second``
(all readers together) and what each reader saw.

    python benchmarks/bench_readers.py [--syncs 200] [--readers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package, for its workload

from tests.engines import connect, engine_name, reset  # noqa: E402
from tests.stress.processes import readers_during_writes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--syncs", type=int, default=200)
    parser.add_argument("--readers", type=int, default=2)
    args = parser.parse_args()
    engine = engine_name()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "home.db"
        db = connect(engine, path)
        reset(db)
        db.close()
        figures = readers_during_writes(engine, path, syncs=args.syncs, readers=args.readers)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
