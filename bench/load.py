"""kinlink under load on loopback with a large registry, alone and beside a batch linkage
(issue 7, item 5).

    .venv/bin/python -m bench.large_registry --keep        # build the registry once
    .venv/bin/python -m bench.load --keep                  # 100 requests/s, 60 s per phase
    .venv/bin/python -m bench.load --keep --rate 100 --duration 120 --workers 2
    .venv/bin/python -m bench.load --persons 20000 --enquiries 500 --duration 20   # small

Serves kinlink as `kinlink serve` does (waitress), `--workers` processes with `--threads`
threads each on their own loopback ports, as behind a reverse proxy that spreads requests
over them (docs/OPERATIONS.md). Locust (headless, as a library, in its own process) sends
`--rate` requests per second through `--users` simulated staff whose requests arrive at
random (each a Poisson process at an equal share of the rate), as caseworkers and
supervisors of the bench registry with a real session cookie for the pages and a real API
token for the API:

    pages  home, enquiry list, enquiry page, person page, persons search
    API    /api/enquiries/, /api/enquiries/{id}/, /api/enquiries/{id}/candidates/,
           /api/persons/{id}/

Phase 1 is the load alone; phase 2 is the same load while `kinlink link` links
`--link-requests` enquiries (from the benchmark data) against the database registry in
another process. Prints achieved requests per second, p50/p95/p99 and errors per endpoint,
with the load average and a calibration (CPU for a fixed piece of Python before and after
each phase: the machine's speed at the time) and the web CPU per request of the mix sent
one request at a time before and after each phase (set beside the phase's own web CPU per
request: how much serving many at once adds); the target is p95 under 300 ms with no
error. Writes bench/out/load.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
TARGET_P95_MS = 300.0
KINLINK = [sys.executable, "-m", "kinlink.cli"]
# (label, weight): shares of the traffic, pages then API
MIX = [
    ("home", 8),
    ("enquiry list", 14),
    ("enquiry page", 14),
    ("person page", 16),
    ("persons search", 8),
    ("api enquiries", 10),
    ("api enquiry", 10),
    ("api candidates", 8),
    ("api person", 12),
]


def _next_request(who: dict, rng: random.Random) -> tuple[str, str, str]:
    """One request drawn from the mix for this identity: (label, path, "page" or "api")."""
    label = rng.choices([m[0] for m in MIX], [m[1] for m in MIX])[0]
    path, kind = _paths(who, rng.choice)[label]
    return label, path, kind


def _paths(who: dict, pick) -> dict[str, tuple[str, str]]:
    """Each endpoint of the mix: (path for this identity, "page" or "api")."""
    return {
        "home": ("/en/", "page"),
        "enquiry list": ("/en/tracing/", "page"),
        "enquiry page": (f"/en/tracing/{pick(who['enquiries'])}/", "page"),
        "person page": (f"/en/tracing/persons/{pick(who['persons'])}/", "page"),
        "persons search": (f"/en/persons/?q={pick(who['names'])}", "page"),
        "api enquiries": ("/api/enquiries/", "api"),
        "api enquiry": (f"/api/enquiries/{pick(who['enquiries'])}/", "api"),
        "api candidates": (f"/api/enquiries/{pick(who['enquiries'])}/candidates/", "api"),
        "api person": (f"/api/persons/{pick(who['persons'])}/", "api"),
    }


# -- the load generator (own process: locust patches the standard library with gevent) -----


def drive(config_path: str) -> None:
    """Run locust headless with the identities and URLs in the config; write its figures."""
    import gevent
    from locust import FastHttpUser, events, task
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    identities, bases = config["identities"], config["bases"]
    per_user = config["rate"] / config["users"]
    counter = iter(range(10**9))

    class Staff(FastHttpUser):
        host = bases[0]

        def wait_time(self) -> float:
            # Independent staff: each one's requests arrive as a Poisson process, so that
            # together they are a Poisson process at `rate` (not in lockstep: users started
            # at the same instant and paced at a constant interval would send their requests
            # in one burst each second, which no office does).
            self.next_at += self.rng.expovariate(per_user)
            return max(0.0, self.next_at - time.monotonic())

        def on_start(self) -> None:
            n = next(counter)
            self.base = bases[n % len(bases)]
            self.who = identities[n % len(identities)]
            self.rng = random.Random(n)
            gevent.sleep(self.rng.expovariate(per_user))
            self.next_at = time.monotonic()
            self.page = {"Cookie": f"sessionid={self.who['session']}"}
            self.api = {"Authorization": f"Token {self.who['token']}"}

        def _get(self, label: str, path: str, headers: dict) -> None:
            with self.client.get(
                self.base + path, headers=headers, name=label, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

        @task
        def visit(self) -> None:
            label, path, kind = _next_request(self.who, self.rng)
            self._get(label, path, self.page if kind == "page" else self.api)

    env = Environment(user_classes=[Staff], events=events)
    runner = env.create_local_runner()
    runner.start(config["users"], spawn_rate=config["users"])
    gevent.sleep(config["warmup"])
    env.stats.reset_all()
    cpu_before = _cpu(config["pids"])
    started = time.monotonic()
    gevent.sleep(config["duration"])
    elapsed = time.monotonic() - started
    cpu_after = _cpu(config["pids"])
    figures = {"seconds": round(elapsed, 1), "endpoints": []}
    served = max(1, env.stats.total.num_requests)
    figures["cpu_ms_per_request"] = _cpu_per_request(cpu_before, cpu_after, served)
    for entry in sorted(env.stats.entries.values(), key=lambda e: e.name):
        figures["endpoints"].append(_entry(entry, elapsed))
    figures["total"] = _entry(env.stats.total, elapsed)
    runner.quit()
    figures["errors"] = {f"{e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()}
    Path(config["out"]).write_text(json.dumps(figures, indent=2))


def _cpu(pids: dict) -> dict[str, float]:
    """CPU seconds used so far by the web processes, this load generator and the whole
    machine (every core, busy time)."""
    import psutil

    def used(process) -> float:
        try:
            t = process.cpu_times()
        except psutil.Error:
            return 0.0
        return t.user + t.system

    web = sum(used(psutil.Process(pid)) for pid in pids["web"])
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return {
        "web": web,
        "load_generator": used(psutil.Process()),
        "machine": busy,
    }


def _cpu_per_request(before: dict, after: dict, served: int) -> dict[str, float]:
    """Milliseconds of CPU per request served. The database's backends come and go (each
    web thread's connection is renewed after CONN_MAX_AGE), so its share is read as the
    whole machine's busy time less the web processes and the load generator: the database
    and anything else running (a linkage in phase 2)."""
    ms = {part: (after[part] - before[part]) * 1000 / served for part in after}
    ms["database and the rest"] = ms["machine"] - ms["web"] - ms["load_generator"]
    return {part: round(value, 1) for part, value in ms.items()}


def _entry(entry, elapsed: float) -> dict:
    def pct(p: float) -> float:
        return float(entry.get_response_time_percentile(p) or 0)

    return {
        "endpoint": entry.name,
        "requests": entry.num_requests,
        "rps": round(entry.num_requests / elapsed, 1),
        "errors": entry.num_failures,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(entry.max_response_time or 0, 1),
    }


# -- the orchestration ----------------------------------------------------------------------


def _identities(count: int, rng: random.Random) -> list[dict]:
    """Caseworkers and supervisors with a session, a token and records of their caseload."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from kinlink.accounts.models import User
    from kinlink.people.models import PersonName
    from kinlink.people.selectors import persons_visible_to
    from kinlink.tracing.selectors import enquiries_visible_to

    users = list(User.objects.filter(username__startswith="bench-cw-").order_by("id"))
    supervisors = list(User.objects.filter(username__startswith="bench-sup-").order_by("id"))
    chosen = users[: max(1, count - count // 10)] + supervisors[: max(1, count // 10)]
    identities = []
    for user in chosen:
        client = Client()
        client.force_login(user)
        token, _ = Token.objects.get_or_create(user=user)
        persons = list(persons_visible_to(user).values_list("id", flat=True)[:2000])
        persons = rng.sample(persons, min(100, len(persons)))
        enquiries = list(enquiries_visible_to(user).values_list("id", flat=True)[:500])
        names = [
            n.split()[0]
            for n in PersonName.objects.filter(person_id__in=persons[:20]).values_list(
                "family_name", flat=True
            )
            if n.strip()
        ]
        identities.append(
            {
                "user": user.username,
                "session": client.cookies["sessionid"].value,
                "token": token.key,
                "persons": persons,
                "enquiries": enquiries or [0],
                "names": [urllib.request.quote(n) for n in names] or ["a"],
            }
        )
    return identities


def _database_at_normal_priority(pgtmp: str) -> str:
    """The database server inherits the CPU priority of whatever started it: a cluster built
    with `nice -n 10 python -m bench.large_registry --keep` serves every query at nice 10,
    behind the web processes, which is not how a database runs in production. Put the
    server and its processes back at nice 0 (allowed to root or with CAP_SYS_NICE); say what
    it runs at."""
    import psutil

    try:
        postmaster = int(Path(pgtmp, "data", "postmaster.pid").read_text().split()[0])
        server = psutil.Process(postmaster)
        processes = [server, *server.children(recursive=True)]
    except (OSError, ValueError, IndexError, psutil.Error) as exc:
        return f"database server priority unknown ({exc})"
    before = server.nice()
    if before == 0:
        return "database server at nice 0"
    try:
        for process in processes:
            process.nice(0)  # new backends fork from the server and inherit it
    except psutil.Error as exc:
        return f"database server at nice {before}: could not move it to 0 ({exc})"
    return f"database server moved from nice {before} to nice 0"


def _calibrate() -> float:
    """Milliseconds of CPU a fixed piece of pure Python takes here now (best of three),
    measured before and after each phase, so that runs at different times or on different
    machines can be compared: on the shared 2-core development machine (a virtual machine)
    the same code took 250 to 470 ms within minutes, with nothing else running in it, and
    every figure of a run moves with it."""

    def work() -> int:
        row = {"a": list(range(200)), "b": {"x": "y" * 50}}
        return sum(len(json.dumps(row)) + i % 7 for i in range(20_000))

    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def _sequential_cost(base: str, pid: int, who: dict, requests: int = 150) -> float:
    """Milliseconds of one web process's CPU per request of the mix, sent one at a time on
    one connection: what a request costs with nothing served beside it. Measured before and
    after each phase: where a phase's web CPU per request is well above it, the extra came
    from serving many requests at once; where this rises too, from the machine."""
    import http.client

    import psutil

    host, port = base.split("//")[1].rsplit(":", 1)
    headers = {"page": {"Cookie": f"sessionid={who['session']}"}}
    headers["api"] = {"Authorization": f"Token {who['token']}"}
    rng = random.Random(11)
    process = psutil.Process(pid)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def send(count: int) -> None:
        for _ in range(count):
            label, path, kind = _next_request(who, rng)
            connection.request("GET", path, headers=headers[kind])
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"sequential probe: {label} {path} answered {response.status}")

    def used() -> float:
        times = process.cpu_times()
        return times.user + times.system

    try:
        send(20)
        before = used()
        send(requests)
        return round((used() - before) * 1000 / requests, 1)
    finally:
        connection.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(workers: int, threads: int, env: dict) -> tuple[list, list[str]]:
    """Start `kinlink serve` processes; wait until each answers /healthz."""
    processes, bases = [], []
    logs = Path(tempfile.mkdtemp(prefix="kinlink-serve-"))
    for n in range(workers):
        port = _free_port()
        log = open(logs / f"serve-{n}.log", "w")  # noqa: SIM115 (lives as long as the server)
        processes.append(
            subprocess.Popen(
                [*KINLINK, "serve", "--port", str(port), "--threads", str(threads)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 120
    for base, process in zip(bases, processes, strict=True):
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"kinlink serve did not start; see {logs}")
            time.sleep(0.5)
    return processes, bases


def _link_requests(count: int, path: Path) -> int:
    """Enquiries for `kinlink link` (the benchmark's, or the database's when none)."""
    from bench.large_registry import DATA, _enquiry_rows

    rows = list(_enquiry_rows(count, random.Random(3)))
    del DATA
    columns = ["id", "given_name", "family_name", "father_name", "mother_name", "birth_date"]
    columns += ["gender", "birth_place"]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i, row in enumerate(rows):
            values = {**row, "id": row.get("request_id") or f"R{i}"}
            writer.writerow([values.get(c) or "" for c in columns])
    return len(rows)


def _phase(name: str, config: dict, work: Path) -> dict:
    config = {**config, "out": str(work / f"{name}.json")}
    path = work / f"{name}-config.json"
    path.write_text(json.dumps(config))
    print(f"phase {name}: {config['rate']} requests/s for {config['duration']} s ...", flush=True)
    before = _calibrate()
    probe = (config["bases"][0], config["pids"]["web"][0], config["identities"][0])
    sequential = _sequential_cost(*probe)
    subprocess.run(
        [sys.executable, "-m", "bench.load", "--drive", str(path)],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    figures = json.loads((work / f"{name}.json").read_text())
    figures["load_average"] = _load()
    figures["calibration_ms"] = [before, _calibrate()]
    figures["sequential_web_ms"] = [sequential, _sequential_cost(*probe)]
    _print(name, figures)
    return figures


def _print(name: str, figures: dict) -> None:
    print(
        f"\n{name}: {figures['seconds']} s, load average {figures['load_average']}, "
        f"calibration {' / '.join(map(str, figures['calibration_ms']))} ms before / after"
    )
    print(
        "the mix one request at a time: web CPU per request "
        f"{' / '.join(map(str, figures['sequential_web_ms']))} ms before / after"
    )
    print(f"{'endpoint':<16} {'req':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4}")
    for row in [*figures["endpoints"], figures["total"]]:
        print(
            f"{row['endpoint']:<16} {row['requests']:>6} {row['rps']:>6} {row['p50_ms']:>6.0f} "
            f"{row['p95_ms']:>6.0f} {row['p99_ms']:>6.0f} {row['errors']:>4}"
        )
    for error, count in figures["errors"].items():
        print(f"  error x{count}: {error}")
    cpu = figures["cpu_ms_per_request"]
    print(
        f"CPU per request: web {cpu['web']} ms, load generator {cpu['load_generator']} ms, "
        f"database and the rest {cpu['database and the rest']} ms; whole machine "
        f"{cpu['machine']} ms"
    )
    print(flush=True)


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--enquiries", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="reuse / keep the filled cluster")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--users", type=int, default=100, help="simulated staff")
    parser.add_argument("--duration", type=int, default=60, help="seconds per phase")
    parser.add_argument("--warmup", type=int, default=10, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=2, help="kinlink serve processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--link-requests", type=int, default=10_000)
    parser.add_argument(
        "--link-threads", type=int, default=0, help="`kinlink link --threads` (0: its default)"
    )
    parser.add_argument(
        "--no-link", action="store_true", help="only the load alone (no linkage phase)"
    )
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        drive(args.drive)
        return

    from bench import large_registry

    state = large_registry.prepare(args.persons, args.enquiries, keep=args.keep)
    work = Path(tempfile.mkdtemp(prefix="kinlink-load-"))
    servers: list = []
    link = None
    report: dict = {"persons": args.persons, "enquiries": args.enquiries, "args": vars(args)}
    try:
        identities = _identities(args.users, random.Random(5))
        env = {**os.environ, "DATABASE_URL": state["database_url"]}
        # no parallel query plans in the web processes (docs/OPERATIONS.md): on a few cores
        # they only add server processes per query
        servers, bases = _serve(
            args.workers, args.threads, {**env, "KINLINK_PG_PARALLEL_WORKERS": "0"}
        )
        config = {
            "pids": {"web": [s.pid for s in servers]},
            "identities": identities,
            "bases": bases,
            "rate": args.rate,
            "users": args.users,
            "duration": args.duration,
            "warmup": args.warmup,
        }
        print(_database_at_normal_priority(state["pgtmp"]), flush=True)
        print(f"load average before: {_load()}", flush=True)
        report["alone"] = _phase("alone", config, work)
        if not args.no_link:
            requests_csv = work / "requests.csv"
            report["link_requests"] = _link_requests(args.link_requests, requests_csv)
            link_log = open(work / "link.log", "w")  # noqa: SIM115
            started = time.monotonic()
            link = subprocess.Popen(
                [*KINLINK, "link", str(requests_csv), "--out", str(work / "links.csv")]
                + (["--threads", str(args.link_threads)] if args.link_threads else []),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=link_log,
                cwd=ROOT,
            )
            time.sleep(5)  # the linkage is reading the registry when the load starts
            report["with_link"] = _phase("with_link", config, work)
            report["link_finished_during_phase"] = link.poll() is not None
            report["link_seconds_so_far"] = round(time.monotonic() - started, 1)
            report["link_exit"] = link.poll()
    finally:
        if link is not None and link.poll() is None:
            link.send_signal(signal.SIGTERM)
            link.wait(30)
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(30)
        large_registry.finish(state)
    OUT.mkdir(exist_ok=True)
    (OUT / "load.json").write_text(json.dumps(report, indent=2))
    for phase in [p for p in ("alone", "with_link") if p in report]:
        total = report[phase]["total"]
        over = [e["endpoint"] for e in report[phase]["endpoints"] if e["p95_ms"] >= TARGET_P95_MS]
        print(
            f"{phase}: {total['rps']} requests/s, p95 {total['p95_ms']:.0f} ms, "
            f"{total['errors']} errors; over {TARGET_P95_MS:.0f} ms: {', '.join(over) or 'none'}"
        )
    if "with_link" not in report:
        return
    print(
        f"linkage ran {report['link_seconds_so_far']} s during the test "
        f"({'finished' if report['link_finished_during_phase'] else 'still running, stopped'})"
    )


if __name__ == "__main__":
    main()
