"""Time to generate the annual evaluation report (the full-plan PDF) from the demo's data (prints figures).

    .venv/bin/python benchmarks/report.py              # PostgreSQL, its own database
    .venv/bin/python benchmarks/report.py --repeat 5 --year 2025

It drops and creates its own database (REPORT_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ninghe_bench_report; --reuse keeps one that already holds the demo), migrates,
loads the official plan, writes the demo's reports (every one marked demo) and computes the results. Then it
times, --repeat times, the three steps of `evaluation.services.generate_pdf`: reading the year's data into the
snapshot, rendering the HTML with its four charts, and typesetting it (evaluation.typeset: the HTML translated to
Typst, laid out and written as PDF); and prints each
step's median, the total, the pages and the size. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ninghe_bench_report"


def prepare_database(url: str, reuse: bool) -> bool:
    """Create the database (dropping an old one unless --reuse); True when it must be filled."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:  # it is dropped and created again: never the application's or the tests' database
        sys.exit(f"refusing to use database {name!r} for the benchmark: its name must contain 'bench'")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and reuse:
            return False
        if exists:
            cursor.execute(f'DROP DATABASE "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return True


def cpu_time() -> float:
    """CPU seconds of this process and of its finished children (the document is compiled in one)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("REPORT_BENCH_DATABASE_URL", DEFAULT_URL)
    fill = prepare_database(url, args.reuse)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninghe_carbon.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if fill:
        with open(os.devnull, "w") as quiet:
            call_command("migrate", verbosity=0)
            call_command("load_ninghe_plan", stdout=quiet)
            call_command("seed_demo", stdout=quiet)
            call_command("recompute_progress", stdout=quiet, stderr=quiet)

    from evaluation import document, services
    from evaluation.snapshot import build_snapshot
    from targets.models import Plan

    evaluation = services.evaluation_for(Plan.objects.get(code="ninghe-2023"), args.year)
    today = dt.date(args.year + 1, 1, 20)
    times: dict[str, list[float]] = {"snapshot": [], "html + charts": [], "layout + PDF": [], "total": []}
    pages = size = 0
    cpu: list[float] = []
    for _ in range(args.repeat):
        c0, t0 = cpu_time(), time.perf_counter()
        snapshot = build_snapshot(evaluation, today=today)
        t1 = time.perf_counter()
        html = document.render_html(snapshot, final=False, for_pdf=True)
        t2 = time.perf_counter()
        typeset = document.layout(html, snapshot, final=False)  # Typst's layout and PDF in one call
        t3, c3 = time.perf_counter(), cpu_time()
        pages, size = typeset.pages, len(typeset.pdf)
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            times[key].append(value)
        cpu.append(c3 - c0)

    print(
        f"annual evaluation report {args.year}: {pages} pages, {size / 1024:.0f} KiB, "
        f"{len(snapshot['targets'])} targets, {sum(len(a['tasks']) for a in snapshot['areas'])} tasks, "
        f"{len(snapshot['timeliness'])} units, {len(snapshot['problems'])} annex rows (demo data)"
    )
    for key, values in times.items():
        print(
            f"  {key:<14} median {statistics.median(values):6.2f} s   (min {min(values):.2f}, max {max(values):.2f}, "
            f"n={len(values)})"
        )
    # On a shared machine the wall clock also counts others' work; the CPU time (with Typst's child process) is ours.
    print(f"  {'CPU (process)':<14} median {statistics.median(cpu):6.2f} s   (min {min(cpu):.2f}, max {max(cpu):.2f})")
    print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
