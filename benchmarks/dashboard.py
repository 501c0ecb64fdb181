"""Benchmark of the office's overview and a target page served by gunicorn on PostgreSQL (a script that prints figures).

    .venv/bin/python benchmarks/dashboard.py --plans 16            # the districts of Tianjin
    .venv/bin/python benchmarks/dashboard.py --plans 300 --reuse   # a province or a country

Its data is benchmarks/progress.py's: N synthetic plans, 24 approved quarters each, in its own database
(DASHBOARD_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ninghe_bench_dashboard, so that it never
drops the database the progress benchmark may be using; --reuse keeps one that already holds N plans). It adds what
the pages need: the results of every plan (results.services.recompute_plans as of 2027-01-20, so all 24 quarters
have results) and an office account.

Before serving, it times the overview cache key's look-up of the latest recompute among the ComputationRun rows
(--runs adds past ones; 110,000 is a year at N = 300): the former key (the newest run of any plan), the plan's own
newest run without the index run_plan_finished (dropped inside a transaction that is rolled back), and with it.

It then starts `gunicorn ninghe_carbon.wsgi -w 2` on a free port of 127.0.0.1 (DEBUG off, behind a simulated TLS
proxy: see production_env), logs in once, and measures the time of whole requests (connect, send, read the full
body) in phases, the whole sequence of phases repeated --rounds times (at least 3): every figure printed is the
median over the rounds of each round's own median (or 95th percentile), with the range over the rounds.

  1. each page alone, one client: the unloaded cost of the trivial view, the overview and the target page, and the
     overview on a cache miss (a new ?nocache=N each time: the overview caches its content keyed on the query
     string, so this is what the first look after a recompute or a report change costs);
  2. each page alone, --clients clients at once: the same pages under load;
  3. the overview and the target page together, --clients clients at once (what a busy morning looks like).

The trivial view is the login page fetched without a session: no database query, one template. The goals: the
overview's p50 within 3x the trivial view's at the same concurrency; with one client (issue 18) a cache hit within
2x and a cache miss within 5x. Every loop is bounded in count and time, and
gunicorn is stopped in all cases. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
# The project's `progress` package must win over benchmarks/progress.py, which is loaded by path below.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ninghe_bench_dashboard"
HOST = "127.0.0.1"
GOAL_RATIO = 3.0
GOAL_HIT, GOAL_MISS = 2.0, 5.0  # issue 18, one client
OFFICE_USERNAME = "bench-dashboard-office"
OFFICE_PASSWORD = "bench-dashboard-pw-2023"
PLAN_CODE = "ninghe-2023"
MISS = "overview, cache miss"
MIN_ROUNDS = 3  # every figure printed is the median of at least this many rounds, with their range


def load_progress_benchmark():
    """benchmarks/progress.py as a module named bench_progress (its file name clashes with the progress app)."""
    spec = importlib.util.spec_from_file_location("bench_progress", ROOT / "benchmarks" / "progress.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the data -------------------------------------------------------------------------------------------------


def prepare_data(bench, url: str, plans: int, *, reuse: bool, seed: int, runs: int = 0) -> dict:
    created = bench.prepare_database(url, reuse=reuse)
    bench.configure_django(url)

    from targets.models import Plan

    if not created and Plan.objects.filter(code__startswith=bench.BENCH_PREFIX).count() != plans - 1:
        print("the reused database holds another number of plans: building it again")
        from django.db import connections

        connections.close_all()
        bench.prepare_database(url, reuse=False)
        created = True
    if created:
        bench.generate(plans, seed)
    else:
        bench.migrate()
        print(f"reusing {urlparse(url).path.lstrip('/')} with {plans} plans")
    computed = ensure_results(bench)
    pad_runs(runs)
    office = ensure_office_user(bench)
    return {"computed": computed, "office": office.username, **pages_to_load()}


def ensure_results(bench) -> int:
    """Results for every plan (as of the day after the last quarter's due date); only plans without any (no
    rollup series: the per-quarter table results_rollup is a view over them, read here without unfolding it)."""
    from results.models import RollupSeries
    from results.services import recompute_plans
    from targets.models import Plan

    missing = list(Plan.objects.exclude(pk__in=RollupSeries.objects.values("plan_id")).order_by("pk"))
    if not missing:
        return 0
    t0 = time.perf_counter()
    recompute_plans(missing, today=bench.AS_OF, force=True)
    bench.vacuum_analyze()
    print(f"computed the results of {len(missing)} plans in {time.perf_counter() - t0:.1f} s")
    return len(missing)


def pad_runs(wanted: int) -> None:
    """Synthetic finished runs spread over the past year and every plan, up to `wanted` (110,000 is a year of
    nightly and incremental runs at N = 300): the overview's cache key looks up its plan's newest run among them."""
    from django.db import connection

    from results.models import ComputationRun

    have = ComputationRun.objects.filter(covered__has_key="benchmark").count()
    if have >= wanted:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO results_computationrun (kind, plan_id, inputs, started_at, finished_at, covered, "
            "rows_written, error) "
            "SELECT 'incremental', p.ids[1 + i %% array_length(p.ids, 1)], '', "
            "now() - interval '366 days' + i * interval '1 second' * (365 * 86400 / %(n)s), "
            "now() - interval '366 days' + i * interval '1 second' * (365 * 86400 / %(n)s) + interval '50 ms', "
            "'{\"benchmark\": true}', 10, '' "
            "FROM generate_series(1, %(n)s) AS i, (SELECT array_agg(id) AS ids FROM targets_plan) AS p",
            {"n": wanted - have},
        )
        cursor.execute("ANALYZE results_computationrun")
    print(f"added {wanted - have:,} past runs (ComputationRun now holds {ComputationRun.objects.count():,})")


def ensure_office_user(bench):
    """The progress benchmark's office account (bench.office_user), given a password so it can log in."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from departments.roles import OFFICE_GROUP
    from tasks.roles import ensure_role_groups

    ensure_role_groups()
    user, _ = get_user_model().objects.get_or_create(
        username=OFFICE_USERNAME, defaults={"is_staff": True, "first_name": "基准测试·区碳达峰办"}
    )
    user.set_password(OFFICE_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=OFFICE_GROUP))
    return user


def pages_to_load() -> dict:
    """The overview of the official plan and the page of its indicator with the most approved values."""
    from django.db.models import Count, Q

    from indicators.models import NUMERIC_COMPARATORS, Indicator
    from tasks.models import ReportStatus

    indicator = (
        Indicator.objects.filter(plan__code=PLAN_CODE, targets__comparator__in=NUMERIC_COMPARATORS)
        .annotate(n=Count("values", filter=Q(values__report__status=ReportStatus.APPROVED), distinct=True))
        .order_by("-n", "order")
        .first()
    )
    return {
        "overview": f"/plans/{PLAN_CODE}/overview/",
        "target": f"/plans/{PLAN_CODE}/indicators/{indicator.pk}/",
        "target_name": f"{indicator.name} ({indicator.n} approved values)",
        "trivial": "/accounts/login/",
    }


# --- the server -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def production_env(url: str) -> dict[str, str]:
    """The settings of a production server behind a TLS-terminating proxy (deploy/): DEBUG off, HTTPS trusted
    from X-Forwarded-Proto (which every request sends, see fetch), static files collected and served by whitenoise."""
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS=HOST,
        DJANGO_SETTINGS_MODULE="ninghe_carbon.settings",
        DB_CONN_MAX_AGE="60",
        BEHIND_TLS_PROXY="true",
        STATIC_ROOT=str(ROOT / "staticfiles"),
    )
    return env


def collect_static(env: dict[str, str]) -> None:
    """With DEBUG off, pages name hashed static files from whitenoise's manifest: a fresh clone has none yet.
    scripts/collect-static, as scripts/run does: collected again only when the static files or packages changed."""
    subprocess.run([str(ROOT / "scripts" / "collect-static")], cwd=ROOT, env=env, check=True)


def start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = production_env(url)
    collect_static(env)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),  # installed from requirements.txt beside this Python
        "ninghe_carbon.wsgi",
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            status, _, _ = fetch(port, "/accounts/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {HOST}:{port} within {timeout:.0f} s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


# --- the client -----------------------------------------------------------------------------------------------


def fetch(port: int, path: str, *, method="GET", cookies: dict | None = None, body: str | None = None, timeout=60):
    """One request on a fresh connection (gunicorn's sync workers close it anyway): status, headers, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        # As the TLS proxy would send them: the request came over HTTPS (no redirect), and a form's Referer is
        # the site's own HTTPS origin (Django's CSRF check of HTTPS requests).
        headers = {
            "Host": f"{HOST}:{port}",
            "Accept-Language": "zh-CN",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{HOST}:{port}{path}",
        }
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def set_cookies(headers) -> dict:
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {k: m.value for k, m in jar.items()}


def log_in(port: int, username: str, password: str) -> dict:
    status, headers, body = fetch(port, "/accounts/login/")
    cookies = set_cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not token or "csrftoken" not in cookies:
        raise RuntimeError(f"no login form: status {status}")
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()})
    status, headers, _ = fetch(port, "/accounts/login/", method="POST", cookies=cookies, body=form)
    cookies.update(set_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login failed: status {status}")
    return {"sessionid": cookies["sessionid"]}


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, took: float, error: str | None) -> None:
        with self.lock:
            if error:
                self.errors.append(error)
            else:
                self.seconds.append(took)


def run_phase(port: int, plan: list[tuple[str, str, dict | None, bytes]], *, clients: int, deadline_s: float):
    """Send the (name, path, cookies, must-contain) requests through `clients` threads; stop at the deadline."""
    samples = {name: Sample() for name, *_ in plan}
    stop_at = time.monotonic() + deadline_s
    cursor = iter(plan)
    cursor_lock = threading.Lock()

    def worker():
        while time.monotonic() < stop_at:
            with cursor_lock:
                item = next(cursor, None)
            if item is None:
                return
            name, path, cookies, marker = item
            t0 = time.perf_counter()
            try:
                status, _, body = fetch(port, path, cookies=cookies)
                took = time.perf_counter() - t0
                error = None if status == 200 and marker in body else f"{path}: status {status}"
            except OSError as exc:
                took, error = time.perf_counter() - t0, f"{path}: {exc!r}"
            samples[name].add(took, error)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return samples, time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def spread(values: list[float], scale: float = 1000.0, digits: int = 1) -> str:
    """A median of the rounds with its range: `12.3 (11.8–14.0)`."""
    if not values:
        return "n/a"
    return (
        f"{statistics.median(values) * scale:,.{digits}f} "
        f"({min(values) * scale:,.{digits}f}–{max(values) * scale:,.{digits}f})"
    )


# --- the overview's cache key among many runs -----------------------------------------------------------------


def time_key_lookups(times: int) -> list[tuple[str, list[float]]]:
    """The cache key's look-up of the latest recompute, `times` runs each (seconds): the former key (the newest
    finished run of any plan, issue 18), the key's own look-up with the index `run_plan_finished` dropped (in a
    transaction rolled back afterwards, so the database keeps it), and with the index, as served."""
    from django.db import connection, transaction
    from django.db.models import Max

    from results.models import ComputationRun
    from results.selectors import last_recompute
    from targets.models import Plan

    plan = Plan.objects.get(code=PLAN_CODE)

    def any_plan():
        return ComputationRun.objects.filter(finished_at__isnull=False).aggregate(stamp=Max("finished_at"))["stamp"]

    def own_plan():
        return last_recompute(plan)

    def runs(fn) -> list[float]:
        fn()  # warm
        seconds = []
        for _ in range(times):
            t0 = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t0)
        return seconds

    lookups = [("former key: newest finished run of any plan", runs(any_plan))]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX run_plan_finished")
        lookups.append(("its own plan's newest run, without the index", runs(own_plan)))
        transaction.set_rollback(True)
    lookups.append(("its own plan's newest run, index run_plan_finished", runs(own_plan)))
    return lookups


# --- main -----------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=16, help="number of plans (default 16)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it already holds N plans")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page in each loaded phase")
    parser.add_argument("--sequential", type=int, default=30, help="requests per page in the one-client phase")
    parser.add_argument(
        "--rounds", type=int, default=3, help=f"rounds of every phase (default 3, at least {MIN_ROUNDS})"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--max-seconds", type=float, default=120, help="time limit of each phase (default 120)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument(
        "--runs", type=int, default=0, help="past ComputationRun rows to hold (110000: a year at N = 300)"
    )
    args = parser.parse_args(argv)
    if args.plans < 1 or args.clients < 1 or args.requests < 1 or args.sequential < 1:
        parser.error("--plans, --clients, --requests and --sequential must be at least 1")
    if args.rounds < MIN_ROUNDS:
        parser.error(f"--rounds must be at least {MIN_ROUNDS}: every figure is a median of rounds with its range")

    bench = load_progress_benchmark()
    url = os.environ.get("DASHBOARD_BENCH_DATABASE_URL", DEFAULT_URL)
    t0 = time.perf_counter()
    pages = prepare_data(bench, url, args.plans, reuse=args.reuse, seed=args.seed, runs=args.runs)
    print(f"data ready in {time.perf_counter() - t0:.1f} s; target page: {pages['target_name']}")
    from django.db import connections

    from results.models import ComputationRun

    run_count = ComputationRun.objects.count()
    lookups = time_key_lookups(max(15, args.rounds))
    connections.close_all()

    load_before = os.getloadavg()
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-dashboard-gunicorn-{port}.log"
    server = start_gunicorn(url, port, args.workers, log)
    try:
        wait_until_up(server, port)
        session = log_in(port, OFFICE_USERNAME, OFFICE_PASSWORD)
        urls = {
            "trivial": (pages["trivial"], None, b'name="csrfmiddlewaretoken"'),
            "overview": (pages["overview"], session, b'id="chart-areas"'),
            "target": (pages["target"], session, b'id="values"'),
        }
        for name, (path, cookies, marker) in urls.items():  # warm every worker's imports, caches and connection
            for _ in range(2 * args.workers):
                status, _, body = fetch(port, path, cookies=cookies)
                if status != 200 or marker not in body:
                    raise RuntimeError(f"{name} {path}: status {status}, expected content missing")
        rounds = [measure_round(port, urls, args, i) for i in range(args.rounds)]
    finally:
        stop_gunicorn(server)
    load_after = os.getloadavg()

    from targets.models import Plan

    print()
    print(
        f"N = {Plan.objects.count()} plans on PostgreSQL ({urlparse(url).path.lstrip('/')}), {run_count:,} "
        f"ComputationRun rows; gunicorn -w {args.workers} on {HOST}:{port}, DEBUG off; load average "
        f"{' '.join(f'{x:.2f}' for x in load_before)} before, {' '.join(f'{x:.2f}' for x in load_after)} after"
    )
    print(
        f"  trivial = GET {pages['trivial']} without a session; overview = {pages['overview']}; target = {pages['target']}"
    )
    print()
    print(
        f"  the overview's cache key, its look-up of the latest recompute, ms, median of {len(lookups[0][1])} (range):"
    )
    for label, seconds in lookups:
        print(f"    {label:<52} {spread(seconds, digits=3):>26}")
    print()
    print(
        f"  whole requests, ms; each figure the median of {args.rounds} rounds (range over the rounds) of the "
        "round's own median (p50) or 95th percentile"
    )
    print(f"  {'phase':<22} {'page':<20} {'n':>6} {'err':>4} {'p50':>24} {'p95':>24} {'p50 / trivial':>20}")
    errors = 0
    for key in rounds[0]["samples"]:
        phase, name = key
        per_round = [r["samples"][key] for r in rounds]
        errors += sum(len(s.errors) for s in per_round)
        p50s = [statistics.median(s.seconds) for s in per_round if s.seconds]
        p95s = [percentile(s.seconds, 0.95) for s in per_round if s.seconds]
        trivial = (phase.removesuffix(", mixed"), "trivial")
        ratios = [r["p50"][key] / r["p50"][trivial] for r in rounds if key in r["p50"] and trivial in r["p50"]]
        print(
            f"  {phase:<22} {name:<20} {sum(len(s.seconds) for s in per_round):>6} "
            f"{sum(len(s.errors) for s in per_round):>4} {spread(p50s):>24} {spread(p95s):>24} "
            f"{spread(ratios, scale=1, digits=2):>20}"
        )
        for error in [e for s in per_round for e in s.errors][:3]:
            print(f"      error: {error}")
    rates = [r["mixed_rate"] for r in rounds]
    print(f"  mixed phase, {args.clients} clients: {spread(rates, scale=1)} requests/s")
    print()
    loaded = f"{args.clients} clients"
    goals = [
        (f"overview p50 within {GOAL_RATIO:g}x the trivial view's ({loaded})", (loaded, "overview"), GOAL_RATIO),
        (
            f"overview (cache hit) p50 within {GOAL_HIT:g}x the trivial view's (1 client)",
            ("1 client", "overview"),
            GOAL_HIT,
        ),
        (f"overview cache miss p50 within {GOAL_MISS:g}x the trivial view's (1 client)", ("1 client", MISS), GOAL_MISS),
    ]
    for text, (phase, name), goal in goals:
        ratios = [r["p50"][phase, name] / r["p50"][phase, "trivial"] for r in rounds]
        met = statistics.median(ratios) <= goal
        print(f"  goal: {text}: {spread(ratios, scale=1, digits=2)}x, {'met' if met else 'NOT met'}")
    if errors:
        print(f"  {errors} requests failed; gunicorn's log: {log}")
    return 1 if errors else 0


def measure_round(port: int, urls: dict, args, number: int) -> dict:
    """One round of every phase: each page alone with one client (and the overview on cache misses), each page
    alone with --clients clients, then the overview and the target page mixed. Returns the samples by (phase,
    page), their medians, and the mixed phase's requests per second."""
    samples: dict[tuple[str, str], Sample] = {}

    def alone(name: str, count: int, clients: int) -> Sample:
        path, cookies, marker = urls[name]
        plan = [(name, path, cookies, marker)] * count
        return run_phase(port, plan, clients=clients, deadline_s=args.max_seconds)[0][name]

    for name in urls:
        samples["1 client", name] = alone(name, args.sequential, 1)
    path, cookies, marker = urls["overview"]
    stamp = f"{time.time_ns()}-{number}"
    misses = [(MISS, f"{path}?nocache={stamp}-{i}", cookies, marker) for i in range(args.sequential)]
    samples["1 client", MISS] = run_phase(port, misses, clients=1, deadline_s=args.max_seconds)[0][MISS]
    loaded = f"{args.clients} clients"
    for name in urls:
        samples[loaded, name] = alone(name, args.requests, args.clients)
    mixed = []
    for _ in range(args.requests):
        mixed += [("overview", *urls["overview"]), ("target", *urls["target"])]
    mixed_samples, took = run_phase(port, mixed, clients=args.clients, deadline_s=args.max_seconds)
    for name, sample in mixed_samples.items():
        samples[f"{loaded}, mixed", name] = sample
    p50 = {key: statistics.median(s.seconds) for key, s in samples.items() if s.seconds}
    mixed_count = sum(len(s.seconds) for s in mixed_samples.values())
    return {"samples": samples, "p50": p50, "mixed_rate": mixed_count / took if took else float("nan")}


if __name__ == "__main__":
    sys.exit(main())
