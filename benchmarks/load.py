"""Load test of the pages and the API under gunicorn on PostgreSQL, then 50 departments submitting at once.

    .venv/bin/python benchmarks/load.py                     # 2 plans, 8 clients for 20 s, 50 departments
    .venv/bin/python benchmarks/load.py --reuse --clients 16 --seconds 60

Its data is benchmarks/progress.py's (the official plan and its clones, 24 approved quarters each, every report
is_demo) in its own database (LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ninghe_bench_load; --reuse
keeps one that already holds the plans), with every plan's results computed, an office account, and one reporter
with an API token for each of the departments that will submit. It starts `gunicorn ninghe_carbon.wsgi` on a free
port of 127.0.0.1 (DEBUG off) and, in two phases of one run:

1. drives the overview and a target page (signed in as the office) and four API reads (token) with --clients
   clients for --seconds seconds, and prints for each URL requests/s, p50 and p99 of whole requests, and errors;
2. lets --departments departments report the new quarter 2027 Q1 through the API at the same moment (a barrier
   releases them together): start the report, save every task and indicator, submit, and submit again (as a
   client retrying would: it must be refused). It then checks in the database that each department has exactly
   one report, in the state its submission leads to, with the values it sent, and that its history holds exactly
   create, save, submit by its reporter, with one field change for each field it changed (every indicator field
   filled in; each task field that differs from what the quarter carried over, and the carried-over mark).

The script exits non-zero if any request failed or the check finds anything missing or doubled. Only 127.0.0.1 is
contacted; gunicorn is stopped in all cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib.util
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]  # the progress app, not progress.py
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ninghe_bench_load"
HOST = "127.0.0.1"
PLAN_CODE = "ninghe-2023"
NEW_QUARTER = (2027, 1)
REPORTER_PREFIX = "load-reporter-"


def load_benchmark(name: str):
    """A sibling benchmark as a module (their file names clash with the project's apps)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


# --- the data -------------------------------------------------------------------------------------------------


def prepare(progress, dashboard, url: str, plans: int, departments: int, *, reuse: bool, seed: int) -> dict:
    created = progress.prepare_database(url, reuse=reuse)
    progress.configure_django(url)
    if created:
        progress.generate(plans, seed)
    dashboard.ensure_results(progress)
    office = dashboard.ensure_office_user(progress)
    pages = dashboard.pages_to_load()
    period = fresh_quarter()
    return {
        **pages,
        "office_token": token_for(office),
        "period": period.pk,
        "submitters": submitters(departments),
        "indicator": int(pages["target"].rstrip("/").rsplit("/", 1)[1]),
    }


def fresh_quarter():
    """2027 Q1, open, with no report yet (a re-run deletes the last run's, with their history)."""
    from tasks.models import QuarterlyReport, ReportingPeriod, default_window

    opens, due = default_window(*NEW_QUARTER)
    today = dt.date.today()
    period, _ = ReportingPeriod.objects.update_or_create(
        year=NEW_QUARTER[0],
        quarter=NEW_QUARTER[1],
        defaults={"opens_on": min(opens, today), "due_on": max(due, today), "is_open": True},
    )
    QuarterlyReport.objects.filter(period=period).delete()
    return period


def token_for(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def submitters(count: int) -> list[dict]:
    """The first `count` reporting departments over all plans, each with a reporter, a token and its rows."""
    from django.contrib.auth import get_user_model

    from departments.models import Membership
    from targets.models import Plan
    from tasks.selectors import reporting_departments

    chosen = []
    for plan in Plan.objects.order_by("pk"):
        chosen += [(plan, d) for d in reporting_departments(plan)]
        if len(chosen) >= count:
            break
    if len(chosen) < count:
        sys.exit(f"only {len(chosen)} reporting departments: use more --plans")
    result = []
    for plan, department in chosen[:count]:
        user, _ = get_user_model().objects.get_or_create(username=f"{REPORTER_PREFIX}{department.pk}")
        Membership.objects.update_or_create(user=user, defaults={"department": department, "role": "reporter"})
        result.append(
            {
                "plan": plan.code,
                "department": department.pk,
                "username": user.username,
                "token": token_for(user),
                "signoff": department.requires_head_signoff,
                "body": rows_for(plan, department),
            }
        )
    return result


def rows_for(plan, department) -> dict:
    """Every task and indicator filled in; each value repeats the last approved one, so no rule refuses it."""
    from tasks.models import IndicatorValue, ReportStatus, quarter_order
    from tasks.selectors import department_indicators, department_tasks

    last = {}
    for row in (
        IndicatorValue.objects.filter(report__plan=plan, report__department=department, value__isnull=False)
        .filter(report__status=ReportStatus.APPROVED)
        .order_by(*quarter_order("report__period"))
        .values("indicator_id", "value")
    ):
        last[row["indicator_id"]] = str(row["value"])
    tasks = [
        {"task": t.pk, "status": "in_progress", "percent_complete": 60, "work_done": "本季度按计划推进。"}
        for t in department_tasks(plan, department)
    ]
    indicators = []
    for indicator in department_indicators(plan, department):
        row = {"indicator": indicator.pk, "data_source": "压力测试"}
        if indicator.is_milestone:
            row["reached"] = True
        else:
            row["value"] = last.get(indicator.pk, str(indicator.min_value or 0))
        indicators.append(row)
    return {"tasks": tasks, "indicators": indicators}


# --- the client -----------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, *, token=None, cookies=None, body=None, timeout=60):
    """One request on a fresh connection: (status, parsed JSON or raw bytes)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Host": f"{HOST}:{port}", "X-Forwarded-Proto": "https"}  # as the TLS proxy sends it
        if token:
            headers["Authorization"] = f"Token {token}"
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(raw)
        return response.status, raw
    finally:
        connection.close()


def drive(dashboard, port: int, targets: dict, *, clients: int, seconds: float) -> tuple[dict, float]:
    """Each client requests the URLs in turn until the time is up; every answer must be 200."""
    samples = {name: dashboard.Sample() for name in targets}
    stop_at = time.monotonic() + seconds
    names = list(targets)

    def client(offset: int):
        i = offset
        while time.monotonic() < stop_at:
            name = names[i % len(names)]
            path, auth = targets[name]
            t0 = time.perf_counter()
            try:
                status, _ = request(port, "GET", path, **auth)
                error = None if status == 200 else f"status {status}"
            except OSError as exc:
                error = repr(exc)
            samples[name].add(time.perf_counter() - t0, error)
            i += 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client, n) for n in range(clients)]:
            future.result()
    return samples, time.perf_counter() - t0


def submit_all(port: int, period: int, submitters: list[dict]) -> tuple[list[str], float]:
    """Every department reports at once; returns what went wrong (expected refusals are not errors)."""
    barrier = threading.Barrier(len(submitters))
    problems: list[str] = []

    def one(s: dict) -> None:
        barrier.wait()
        token = s["token"]
        status, report = request(
            port, "POST", "/api/v1/reports/", token=token, body={"period": period, "plan": s["plan"]}
        )
        if status != 201:
            problems.append(f"{s['username']}: start answered {status}: {report}")
            return
        again, repeat = request(
            port, "POST", "/api/v1/reports/", token=token, body={"period": period, "plan": s["plan"]}
        )
        if again != 201 or repeat["id"] != report["id"]:
            problems.append(f"{s['username']}: starting again answered {again}, report {repeat.get('id')}")
        steps = [
            ("save", {"version": report["version"], **s["body"]}, 200),
            ("submit", None, 200),
            ("submit", None, 403),  # a retried submission is refused, never stored twice
        ]
        for step, body, expected in steps:
            status, answer = request(port, "POST", f"/api/v1/reports/{report['id']}/{step}/", token=token, body=body)
            if status != expected:
                problems.append(f"{s['username']}: {step} answered {status} (expected {expected}): {answer}")
                return

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(submitters)) as pool:
        for future in [pool.submit(one, s) for s in submitters]:
            future.result()
    return problems, time.perf_counter() - t0


def expected_changes(report, body: dict) -> int:
    """How many field changes the save must record: every indicator field filled in (a new quarter's figures start
    empty), and every task field sent that differs from what the quarter started with (tasks.services carries the
    last approved quarter's words and percent over), plus the carried-over mark of each carried task it changed."""
    from tasks.models import TaskUpdate
    from tasks.selectors import last_approved_updates
    from tasks.services import CARRIED_FIELDS

    count = sum(len(row) - 1 for row in body["indicators"])
    carried, empty = last_approved_updates(report), TaskUpdate()
    for row in body["tasks"]:
        last = carried.get(row["task"])
        changed = [
            field
            for field, value in row.items()
            if field != "task" and getattr(last if last and field in CARRIED_FIELDS else empty, field) != value
        ]
        count += len(changed) + bool(last and changed)
    return count


def check_stored(period: int, submitters: list[dict]) -> list[str]:
    """Exactly one report per department, in the right state, with its values and a complete history."""
    from tasks.models import FieldChange, QuarterlyReport, ReportEvent

    problems = []
    for s in submitters:
        reports = list(QuarterlyReport.objects.filter(period_id=period, department_id=s["department"]))
        if len(reports) != 1:
            problems.append(f"{s['username']}: {len(reports)} reports stored")
            continue
        report = reports[0]
        expected_status = "awaiting_signoff" if s["signoff"] else "submitted"
        if report.status != expected_status or report.version != 2:
            problems.append(f"{s['username']}: status {report.status}, version {report.version}")
        events = list(ReportEvent.objects.filter(report=report).order_by("at", "pk"))
        actions = [(e.action, e.actor.username) for e in events]
        if actions != [(a, s["username"]) for a in ("create", "save", "submit")]:
            problems.append(f"{s['username']}: history {actions}")
            continue
        expected = expected_changes(report, s["body"])
        changes = FieldChange.objects.filter(event=events[1]).count()
        if changes != expected:
            problems.append(f"{s['username']}: {changes} field changes recorded, {expected} expected")
        stored = {v.indicator_id: v for v in report.indicator_values.all()}
        for row in s["body"]["indicators"]:
            value = stored[row["indicator"]]
            sent = row.get("value")
            if (sent is not None and float(value.value) != float(sent)) or value.data_source != row["data_source"]:
                problems.append(f"{s['username']}: indicator {row['indicator']} stored {value.value}, sent {sent}")
        for update in report.task_updates.all():
            if update.work_done != "本季度按计划推进。" or update.percent_complete != 60:
                problems.append(f"{s['username']}: task {update.task_id} not stored as sent")
    return problems


# --- main -----------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=2, help="plans to generate (default 2: about 80 units)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it exists")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the read phase (default 8)")
    parser.add_argument("--seconds", type=float, default=20, help="length of the read phase (default 20 s)")
    parser.add_argument("--departments", type=int, default=50, help="departments submitting at once (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)

    progress, dashboard = load_benchmark("progress"), load_benchmark("dashboard")
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    t0 = time.perf_counter()
    data = prepare(progress, dashboard, url, args.plans, args.departments, reuse=args.reuse, seed=args.seed)
    print(f"data ready in {time.perf_counter() - t0:.1f} s")
    from django.db import connections

    connections.close_all()

    port = dashboard.free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-load-gunicorn-{port}.log"
    os.environ["GUNICORN_CMD_ARGS"] = f"--threads {args.threads}"
    server = dashboard.start_gunicorn(url, port, args.workers, log)
    try:
        dashboard.wait_until_up(server, port)
        session = {"cookies": dashboard.log_in(port, dashboard.OFFICE_USERNAME, dashboard.OFFICE_PASSWORD)}
        office = {"token": data["office_token"]}
        as_of = "2026Q4"
        targets = {
            "overview (page)": (data["overview"], session),
            "target (page)": (data["target"], session),
            "api results/targets": (f"/api/v1/results/targets/?as_of={as_of}", office),
            "api values": (f"/api/v1/values/?indicator={data['indicator']}&as_of={as_of}", office),
            "api reports": ("/api/v1/reports/?year=2026&quarter=4", office),
            "api tasks": (f"/api/v1/tasks/?plan={PLAN_CODE}", {}),
        }
        for path, auth in targets.values():  # warm every worker
            for _ in range(2 * args.workers):
                status, _ = request(port, "GET", path, **auth)
                if status != 200:
                    raise RuntimeError(f"{path}: status {status}")
        samples, took = drive(dashboard, port, targets, clients=args.clients, seconds=args.seconds)
        submission_problems, submit_took = submit_all(port, data["period"], data["submitters"])
    finally:
        dashboard.stop_gunicorn(server)

    print()
    print(
        f"gunicorn -w {args.workers} --threads {args.threads} on {HOST}:{port}, PostgreSQL "
        f"({urlparse(url).path.lstrip('/')}), DEBUG off; {args.clients} clients for {took:.1f} s"
    )
    print(f"  {'url':<22} {'n':>6} {'err':>5} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9}")
    errors = 0
    total = 0
    for name, sample in samples.items():
        errors += len(sample.errors)
        total += len(sample.seconds)
        print(
            f"  {name:<22} {len(sample.seconds):>6} {len(sample.errors):>5} {len(sample.seconds) / took:>8.1f} "
            f"{dashboard.ms(dashboard.percentile(sample.seconds, 0.5)):>9} "
            f"{dashboard.ms(dashboard.percentile(sample.seconds, 0.99)):>9}"
        )
        for error in sample.errors[:3]:
            print(f"      error: {error}")
    print(f"  all                    {total:>6} {errors:>5} {total / took:>8.1f}")
    print()
    stored_problems = check_stored(data["period"], data["submitters"])
    departments = len(data["submitters"])
    print(
        f"{departments} departments started, saved and submitted 2027 Q1 at once in {submit_took:.1f} s "
        f"({sum(len(s['body']['tasks']) + len(s['body']['indicators']) for s in data['submitters'])} rows)"
    )
    for problem in submission_problems + stored_problems:
        print(f"  problem: {problem}")
    if not submission_problems and not stored_problems:
        print("  check: every report stored exactly once, as sent, with its complete history (create, save, submit)")
    if errors:
        print(f"  {errors} read requests failed; gunicorn's log: {log}")
    return 1 if errors or submission_problems or stored_problems else 0


if __name__ == "__main__":
    sys.exit(main())
