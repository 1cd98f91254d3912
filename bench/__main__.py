"""``python -m bench [--quick] [--out PATH] [--only FIGURES] [--servers memory,file] [--postgres URL]``.

Every dev server is tuned as ``relay dev`` runs it (``relay.core.dev_server``); the
``devserver`` figure compares with the server's defaults. Figures 1 and 2 (interpreter and
trigger overhead) run on every dev server given (by default an in-memory one, then a
file-backed one as ``relay dev`` runs it); the others run on the in-memory one only (the
first given), where populating 10,000 waiting runs and the 10,000-item foreach fit the time
budget: they measure Relay's index, history and memory, not Temporal's persistence. Then
the intake figures run once more with Relay's database on PostgreSQL (``--postgres``, by
default the local test database; ``--postgres none`` skips that pass). ``--quick`` uses tiny
sizes and only the in-memory server. Prints the table on stdout and writes the results file.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path

from bench import (
    fig_devserver,
    fig_fairness,
    fig_history,
    fig_interpreter,
    fig_matching,
    fig_memory,
    fig_payload_memory,
    fig_scaling,
    fig_test_runs,
    fig_trigger,
)
from bench.report import QUICK_RESULTS, RESULTS, Results, echo, machine, table
from bench.sizes import FULL, QUICK, Sizes
from bench.stack import Server, Stack, open_stack, postgres_schema

Measure = Callable[[Stack, Results, Sizes], Awaitable[None]]
# name -> (measure, on every server or only on the first one)
FIGURES: dict[str, tuple[Measure, bool]] = {
    "devserver": (fig_devserver.measure, False),
    "interpreter": (fig_interpreter.measure, True),
    "trigger": (fig_trigger.measure, True),
    "history": (fig_history.measure, False),
    "matching": (fig_matching.measure, False),
    "memory": (fig_memory.measure, False),
    "large_outputs": (fig_payload_memory.measure, False),
    "workers": (fig_scaling.workers, False),
    "api_scaling": (fig_scaling.apis, False),
    "fairness": (fig_fairness.measure, False),
    "test_runs": (fig_test_runs.measure, False),
}
# Figures of the PostgreSQL pass (intake, where the database is the bottleneck).
ON_POSTGRES = ("trigger", "api_scaling")
# Figures that only mean something on PostgreSQL.
ONLY_POSTGRES = frozenset({"api_scaling"})
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
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
        default=LOCAL_POSTGRES,
        help="the PostgreSQL database of the intake pass (a fresh schema in it; default "
        f"{LOCAL_POSTGRES}); 'none' skips the pass",
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
    names = [s.strip() for s in (args.servers or ("memory" if args.quick else DEFAULT_SERVERS)).split(",")]
    servers = [s for s in SERVERS if s in names]
    if not servers or set(names) - set(SERVERS):
        raise SystemExit(f"--servers takes {' and/or '.join(SERVERS)}")
    results = Results(command=" ".join(["python -m bench", *(sys.argv[1:])]), quick=args.quick)
    postgres = None if args.postgres == "none" else args.postgres
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as tmp:
        for position, server in enumerate(servers):
            wanted = [n for n in only if (FIGURES[n][1] or position == 0) and n not in ONLY_POSTGRES]
            await _pass(server, Path(tmp) / server, wanted, results, sizes, postgres=None)
        wanted = [name for name in ON_POSTGRES if name in only]
        if postgres and wanted:
            if _reachable(postgres):
                await _pass(servers[0], Path(tmp) / "postgres", wanted, results, sizes, postgres=postgres)
            else:
                results.notes.append(
                    f"PostgreSQL at {postgres} unreachable: its pass ({', '.join(wanted)}) skipped"
                )
    results.seconds = time.perf_counter() - began
    return results


async def _pass(
    server: Server, workdir: Path, wanted: list[str], results: Results, sizes: Sizes, *, postgres: str | None
) -> None:
    if not wanted:
        return
    echo(f"== {server} dev server, {'PostgreSQL' if postgres else 'SQLite'}: {', '.join(wanted)}")
    with postgres_schema(postgres) if postgres else nullcontext(None) as url:
        async with open_stack(server, workdir, database_url=url) as stack:
            for name in wanted:
                started, first_row = time.perf_counter(), len(results.rows)
                try:
                    await FIGURES[name][0](stack, results, sizes)
                except Exception as exc:  # one figure failing must not lose the others' figures
                    echo(traceback.format_exc())
                    failure = f"{type(exc).__name__}: {exc}"
                    results.notes.append(f"{name} on {server}/{stack.database} failed: {failure}")
                echo(f"   {name}: {time.perf_counter() - started:.0f}s")
                for row in results.rows[first_row:]:
                    row.server = f"{row.server}, {stack.database}"


def _reachable(url: str) -> bool:
    from sqlalchemy import text

    from relay.storage import create_db_engine

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


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
