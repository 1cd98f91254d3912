"""``python -m bench [--quick] [--out PATH] [--only FIGURES] [--servers memory,file]``.

Figures 1 and 2 (interpreter and trigger overhead) run on every dev server given (by
default an in-memory one, then a file-backed one as ``relay dev`` runs it); 3 to 5 run on
the in-memory one only (the first given), where populating 10,000 waiting runs and the
10,000-item foreach fit the time budget: they measure Relay's index, history and memory,
not Temporal's persistence. ``--quick`` uses tiny sizes and only the in-memory server.
Prints the table on stdout and writes the results file.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path

from bench import fig_history, fig_interpreter, fig_matching, fig_memory, fig_trigger
from bench.report import QUICK_RESULTS, RESULTS, Results, echo, machine, table
from bench.sizes import FULL, QUICK, Sizes
from bench.stack import Server, Stack, open_stack, postgres_schema

Measure = Callable[[Stack, Results, Sizes], Awaitable[None]]
# name -> (measure, on every server or only on the first one)
FIGURES: dict[str, tuple[Measure, bool]] = {
    "interpreter": (fig_interpreter.measure, True),
    "trigger": (fig_trigger.measure, True),
    "history": (fig_history.measure, False),
    "matching": (fig_matching.measure, False),
    "memory": (fig_memory.measure, False),
}
SERVERS: tuple[Server, ...] = ("memory", "file")
DEFAULT_SERVERS = "memory,file"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves it works in under a minute")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"results file (default {RESULTS}; with --quick {QUICK_RESULTS})",
    )
    parser.add_argument(
        "--only", default=",".join(FIGURES), help=f"comma-separated, of: {', '.join(FIGURES)}"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run Relay's database on PostgreSQL (a fresh schema in this database) instead of SQLite, "
        "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument(
        "--servers",
        default=None,
        help=f"dev servers, in order: memory, file or both (default {DEFAULT_SERVERS}; quick: memory)",
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> Results:
    sizes = QUICK if args.quick else FULL
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(only) - set(FIGURES)
    if unknown:
        raise SystemExit(f"unknown figures: {', '.join(sorted(unknown))} (known: {', '.join(FIGURES)})")
    servers = [s.strip() for s in (args.servers or ("memory" if args.quick else DEFAULT_SERVERS)).split(",")]
    if not servers or set(servers) - set(SERVERS):
        raise SystemExit(f"--servers takes {' and/or '.join(SERVERS)}")
    results = Results(command=" ".join(["python -m bench", *(sys.argv[1:])]), quick=args.quick)
    results.database = "postgresql" if args.postgres else "sqlite"
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as tmp:
        for position, server in enumerate(servers):
            wanted = [name for name in only if FIGURES[name][1] or position == 0]
            if not wanted:
                continue
            database = "PostgreSQL" if args.postgres else "SQLite"
            echo(f"== {server} dev server, {database}: {', '.join(wanted)}")
            with postgres_schema(args.postgres) if args.postgres else nullcontext(None) as url:
                async with open_stack(server, Path(tmp) / server, database_url=url) as stack:  # type: ignore[arg-type]
                    for name in wanted:
                        started = time.perf_counter()
                        await FIGURES[name][0](stack, results, sizes)
                        echo(f"   {name}: {time.perf_counter() - started:.0f}s")
    results.seconds = time.perf_counter() - began
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    results = asyncio.run(run(args))
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    results.write(out)
    load = ", ".join(f"{x:.1f}" for x in results.loadavg_at_start)
    notes = "".join(f"\nNote: {note}" for note in results.notes)
    cores = machine()["cpus"]
    sys.stdout.write(
        f"\n{table(results.rows)}\n\n`{results.command}`: {results.seconds:.0f}s on {cores} cores, "
        f"load average {load} at the start; results in {out}{notes}\n"
    )


if __name__ == "__main__":
    main()
