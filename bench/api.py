"""The HTTP API under load: throughput and latency of ``POST /verify``,
``GET /status-lists/{authority}/{list}`` and ``POST /applications``, against a bare
litestar route served the same way, in one run.

    python -m bench.api [--runs 3] [--seconds 10] [--workers 1] [--no-access-log]

Sets up a fresh PostgreSQL schema (``talentcard init``), keys, an applicant with an API
key and ``--cards`` issued Jinan cards with their credential texts, then starts
``talentcard serve`` (``python -m api.cli serve``) and ``bench._bare`` (one litestar route
returning a constant, served by the same ``api.serving.serve``) as processes on loopback
ports. Each is driven by ``bench/api_load.js`` (Node.js, no packages; its header says why
not autocannon) at a constant rate, open-loop in the manner of wrk2, latency counted from
when each request fell due, which is what shows a p99 at a given rate; and saturating
(``--connections`` connections, each sending as soon as its last answer is in), which is
what shows the top throughput. Each run loads every target in turn, bare and verify in
A-B-B-A order (B-A-A-B the next run), half a load each; every figure is the median over
``--runs``, the verify/bare ratio taken within each run, and beside each load the
server's CPU time per answered request (from /proc, its workers included), which moves
far less than throughput when other work shares the machine. ``--workers`` and
``--[no-]access-log`` go to both servers alike. No projector runs: the server catches the
status read model up itself (once a second at most, on a verify or a status-list request).

A load answered with anything but 2xx, or with a connection error, is reported beside
its figures and fails the run (exit 1), so a figure never stands for refusals; requests
still unanswered 10 s after a fixed-rate load's end (the server fell behind) are shown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import msgspec

import ledger.card_commands as cc

ROOT = Path(__file__).resolve().parents[1]
LOAD_SCRIPT = ROOT / "bench" / "api_load.js"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
KEY_PASSPHRASE = "bench api passphrase"
SERVICE = "jinan.5"  # a Jinan class C holder's item the venue asks about


# ---- the load tool -------------------------------------------------------------------


def ensure_node() -> None:
    """Node.js runs the load tool (bench/api_load.js, no packages), or SystemExit."""
    if shutil.which("node") is None:
        raise SystemExit("bench.api needs Node.js: its load tool is bench/api_load.js")


@dataclass(frozen=True)
class Load:
    """One load: what to send, at which rate (0: saturating), for how long."""

    name: str
    url: str
    method: str
    path: str
    headers: dict[str, str]
    bodies: list[str]
    rate: int
    seconds: float
    connections: int
    unique: bool = False  # each body may be sent once (a filing)


def drive(load: Load, scratch: Path) -> dict[str, Any]:
    """Run one load; the tool's JSON summary (``rate``, ``p50``, ``p99``, ... in ms)."""
    spec = scratch / "load.json"
    address = urllib.parse.urlsplit(load.url)
    spec.write_text(
        json.dumps(
            {
                "host": address.hostname,
                "port": address.port,
                "method": load.method,
                "path": load.path,
                "headers": load.headers,
                "bodies": load.bodies,
                "rate": load.rate,
                "seconds": load.seconds,
                "connections": load.connections,
            }
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        ["node", str(LOAD_SCRIPT), str(spec)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the load tool failed on {load.name}: {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if load.unique and result["bodies_used"] > len(load.bodies):
        result["reused_bodies"] = result["bodies_used"] - len(load.bodies)
    return result


# ---- the registry to serve -----------------------------------------------------------


@dataclass
class World:
    """What the setup made: the servers' environment and the requests' material."""

    environ: dict[str, str]
    applicant_key: str
    credentials: list[str]
    status_path: str
    next_person: int = 1
    schema: str = ""
    admin_url: str = ""

    def application_bodies(self, count: int) -> list[str]:
        """``count`` Jinan class C filings, each for a person of its own (one live card
        per person and scheme), as ``POST /applications`` takes them."""
        from tests import factories as f

        bodies = []
        for _ in range(count):
            body = f.jinan_body("C", holder=f.holder(f.resident_id(self.next_person)))
            self.next_person += 1
            request = msgspec.to_builtins(body)
            for who in ("actor", "role", "city"):
                request.pop(who, None)
            bodies.append(msgspec.json.encode(request).decode())
        return bodies


def setup(postgres: str, folder: Path, cards: int) -> World:
    """A fresh schema initialised as the owner, keys, an applicant's key and ``cards``
    issued cards; the servers' environment points at it."""
    from services.bootstrap import Registry
    from tests import factories as f

    schema = f"bench_api_{uuid.uuid4().hex[:12]}"
    joiner = "&" if "?" in postgres else "?"
    url = f"{postgres}{joiner}schema={schema}&pool_size=8&max_overflow=8"
    data = folder / "data"
    Registry({"TALENTCARD_DATABASE_URL": url, "TALENTCARD_DATA_DIR": str(data)}).init_store()
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "TALENTCARD_DATABASE_URL": url,
        "TALENTCARD_DATA_DIR": str(data),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_WRITE_RATE": "0",  # no per-key limit: this is the load test
        "TALENTCARD_READY_LAG": "3600",  # no projector runs beside the server
    }
    world = World(environ, "", [], "", schema=schema, admin_url=postgres)
    with Registry(environ) as registry:
        from domain.vocabulary import Role

        registry.keys.init()
        world.applicant_key = registry.users.add(
            None, name="bench.applicant", role=Role.APPLICANT, authority="jinan"
        ).key
        ledger = registry.ledger
        ids = []
        for _ in range(cards):
            body = f.jinan_body("C", holder=f.holder(f.resident_id(world.next_person)))
            world.next_person += 1
            card_id, _ = ledger.apply(body)
            ledger.run(cc.ISSUE, card_id, f.issue(actor="bench.window", role="city_window"))
            ids.append(card_id)
        for card_id in ids:
            credential = registry.issuance.credential(card_id)
            world.credentials.append(credential.text)
        uri = registry.issuance.credential(ids[0]).claims.status.uri
        world.status_path = "/" + uri.split("/", 3)[3]
    return world


def drop(world: World) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(world.admin_url.split("?")[0], autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(world.schema))
        )


# ---- the servers ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    """(status, body bytes) of one request, or (0, b"") when nothing answers."""
    req = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""


@contextmanager
def server(
    argv: list[str], environ: dict[str, str], probe: Callable[[], int], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, waited for until ``probe()`` is 2xx (60 s), stopped after."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, cwd=ROOT, env={**environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{' '.join(argv)} exited: {log.read_text()[-1000:]}")
            if 200 <= probe() < 300:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(argv)} did not answer within 60 s")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_flags(args: argparse.Namespace) -> list[str]:
    flags = ["--workers", str(args.workers)]
    if args.access_log is not None:
        flags.append("--access-log" if args.access_log else "--no-access-log")
    return flags


# ---- the benchmark -------------------------------------------------------------------


def verify_bodies(world: World) -> list[str]:
    return [
        json.dumps({"credential": text, "service": SERVICE, "venue_city": "jinan"})
        for text in world.credentials
    ]


def check_answers(api: str, bare: str, world: World) -> None:
    """Each target answers as the loads expect before anything is timed."""
    json_headers = {"Content-Type": "application/json"}
    status, body = request(f"{api}/verify", verify_bodies(world)[0].encode(), json_headers)
    answer = json.loads(body) if status == 200 else {}
    if answer.get("reason") != "ok" or answer.get("granted") is not True:
        raise SystemExit(f"POST /verify answered {status}: {body[:300]!r}")
    status, body = request(f"{bare}/verify", b"{}", json_headers)
    if status != 200:
        raise SystemExit(f"the bare route answered {status}: {body[:300]!r}")
    status, body = request(f"{api}{world.status_path}")
    if status != 200:
        raise SystemExit(f"GET {world.status_path} answered {status}: {body[:300]!r}")
    headers = {**json_headers, "Authorization": f"Bearer {world.applicant_key}"}
    status, body = request(
        f"{api}/applications", world.application_bodies(1)[0].encode(), headers
    )
    if status != 201:
        raise SystemExit(f"POST /applications answered {status}: {body[:300]!r}")


def loads(args: argparse.Namespace, api: str, bare: str, world: World) -> list[Load]:
    """One run's loads, in order (bare and verify alternate their order between runs)."""
    json_headers = {"Content-Type": "application/json"}
    auth = {**json_headers, "Authorization": f"Bearer {world.applicant_key}"}
    verify = verify_bodies(world)
    n, s = args.connections, args.seconds
    # A filing takes several commits: the saturating load is sized for 400/s at most.
    app_rate_bodies = int(args.applications_rate * s * 1.5) + 100
    app_top_bodies = int(400 * s) + 100
    half = s / 2
    bare_top = Load("bare top", bare, "POST", "/verify", json_headers, ["{}"], 0, half, n)
    verify_top = Load("verify top", api, "POST", "/verify", json_headers, verify, 0, half, n)
    bare_rate = Load(
        f"bare @ {args.verify_rate}/s", bare, "POST", "/verify", json_headers, ["{}"],
        args.verify_rate, half, n,
    )
    verify_rate = Load(
        f"verify @ {args.verify_rate}/s", api, "POST", "/verify", json_headers, verify,
        args.verify_rate, half, n,
    )
    # Bare and verify in A-B-B-A order, half a load each, so that a change in what else
    # the machine is doing falls on both sides alike (the ratio is taken within the run).
    return [
        bare_top, verify_top, verify_top, bare_top,
        bare_rate, verify_rate, verify_rate, bare_rate,
        Load("status list top", api, "GET", world.status_path, {}, [], 0, s, n),
        Load(
            f"status list @ {args.status_rate}/s", api, "GET", world.status_path, {}, [],
            args.status_rate, s, n,
        ),
        Load(
            "applications top", api, "POST", "/applications", auth,
            world.application_bodies(app_top_bodies), 0, s, n, unique=True,
        ),
        Load(
            f"applications @ {args.applications_rate}/s", api, "POST", "/applications", auth,
            world.application_bodies(app_rate_bodies), args.applications_rate, s, n,
            unique=True,
        ),
    ]


def failures(result: dict[str, Any]) -> str:
    bad = {k: result.get(k, 0) for k in ("non2xx", "errors", "reused_bodies")}
    return ", ".join(f"{k} {v}" for k, v in bad.items() if v)


def load_average() -> str:
    """The machine's 1-minute load average: this one may be shared with other work."""
    return f"{os.getloadavg()[0]:.2f}"


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "absent"

    packages = ", ".join(
        f"{p} {version(p)}" for p in ("litestar", "uvicorn", "httptools", "uvloop", "msgspec")
    )
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {packages}"
    )


def report(
    results: dict[str, list[dict[str, Any]]], ratios: list[float], cpu_ratios: list[float],
    runs: int,
) -> None:
    print(f"\nmedian of {runs} runs (range over runs); latency in ms")
    print(f"| {'load':<26} | {'offered /s':>10} | {'achieved /s':>11} | {'p50':>6} | "
          f"{'p99':>7} | server CPU us/req | each load's achieved /s |")
    print(f"|{'-' * 28}|{'-' * 11}:|{'-' * 12}:|{'-' * 7}:|{'-' * 8}:|{'-' * 18}:|{'-' * 25}|")
    for name, rows in results.items():
        rate = statistics.median(r["rate"] for r in rows)
        p50 = statistics.median(r["p50"] for r in rows)
        p99 = statistics.median(r["p99"] for r in rows)
        offered = name.split("@ ")[1].removesuffix("/s") if "@" in name else "saturating"
        spread = ", ".join(f"{r['rate']:,.0f}" for r in rows)
        cpu = statistics.median(r["cpu_us"] for r in rows)
        print(f"| {name:<26} | {offered:>10} | {rate:>11,.0f} | {p50:>6.2f} | {p99:>7.2f} | "
              f"{cpu:>17,.0f} | {spread} |")
    print(
        f"\nverify top / bare top: median {statistics.median(ratios):.2f} "
        f"(runs {', '.join(f'{r:.2f}' for r in ratios)}; goal >= 0.5)"
    )
    print(
        f"bare CPU / verify CPU per request, saturating: median "
        f"{statistics.median(cpu_ratios):.2f} (runs {', '.join(f'{r:.2f}' for r in cpu_ratios)}"
        "): the ratio of top throughputs on a machine with nothing else to run"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="per load")
    parser.add_argument("--warmup", type=float, default=3.0, help="per target, before run 1")
    parser.add_argument("--cards", type=int, default=200, help="distinct credentials")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--verify-rate", type=int, default=1000)
    parser.add_argument("--status-rate", type=int, default=1000)
    parser.add_argument("--applications-rate", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="for both servers")
    parser.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=None,
        help="for both servers (default: the server's own default)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TALENTCARD_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a database in which the benchmark may create (and drops) a schema",
    )
    args = parser.parse_args(argv)
    # Stopped by SIGTERM: still stop the servers and drop the schema on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_node()
    print(f"machine: {machine()}")
    print(f"servers: {' '.join(serve_flags(args))}; load average {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        world = setup(args.postgres, folder, args.cards)
        print(f"setup: {args.cards} issued cards in {time.perf_counter() - started:.1f} s")
        try:
            api_port, bare_port = free_port(), free_port()
            api, bare = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{bare_port}"
            api_argv = [
                sys.executable, "-m", "api.cli", "serve", "--port", str(api_port),
                *serve_flags(args),
            ]
            bare_argv = [
                sys.executable, "-m", "bench._bare", "--port", str(bare_port),
                *serve_flags(args),
            ]
            with (
                server(api_argv, world.environ, lambda: request(f"{api}/health")[0],
                       folder / "api.log") as api_process,
                server(bare_argv, world.environ, lambda: request(f"{bare}/verify", b"{}")[0],
                       folder / "bare.log") as bare_process,
            ):
                pids = {api: api_process.pid, bare: bare_process.pid}
                return measure(args, api, bare, world, folder, pids)
        finally:
            drop(world)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a server process and its worker processes so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        one = pending.pop()
        try:
            stat = Path(f"/proc/{one}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{one}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(
    args: argparse.Namespace, api: str, bare: str, world: World, folder: Path,
    pids: dict[str, int],
) -> int:
    check_answers(api, bare, world)
    warm = loads(args, api, bare, world)  # bodies of their own: a filing is made once
    for load in (warm[0], warm[1], warm[8], warm[10]):  # each target, before any timing
        drive(Load(**{**load.__dict__, "rate": 0, "seconds": args.warmup}), folder)
    names = list(dict.fromkeys(load.name for load in warm))
    results: dict[str, list[dict[str, Any]]] = {}
    ratios, cpu_ratios = [], []
    bad = []
    for run in range(args.runs):
        order = loads(args, api, bare, world)
        if run % 2:  # B-A-A-B
            order[0:4] = [order[1], order[0], order[0], order[1]]
            order[4:8] = [order[5], order[4], order[4], order[5]]
        tops: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        for load in order:
            cpu = cpu_seconds(pids[load.url])
            result = drive(load, folder)
            spent = cpu_seconds(pids[load.url]) - cpu
            result["cpu_us"] = spent / max(1, result["answered"]) * 1e6
            results.setdefault(load.name, []).append(result)
            if problem := failures(result):
                bad.append(f"run {run + 1} {load.name}: {problem}")
            if load.name.endswith("top"):
                tops.setdefault(load.name, []).append(result["rate"])
                cpus.setdefault(load.name, []).append(result["cpu_us"])
            behind = (
                f"  (overloaded: {result['unanswered']} still unanswered 10 s after the end)"
                if result["unanswered"] else ""
            )
            print(
                f"run {run + 1} {load.name:<26} {result['rate']:>8,.0f}/s  "
                f"p50 {result['p50']:.2f} ms  p99 {result['p99']:.2f} ms  "
                f"server CPU {result['cpu_us']:.0f} us/request"
                + (f"  ({problem})" if problem else "") + behind,
                flush=True,
            )
        print(f"run {run + 1} done; load average {load_average()}", flush=True)
        ratios.append(statistics.fmean(tops["verify top"]) / statistics.fmean(tops["bare top"]))
        cpu_ratios.append(
            statistics.fmean(cpus["bare top"]) / statistics.fmean(cpus["verify top"])
        )
    ordered = {name: results[name] for name in names}
    report(ordered, ratios, cpu_ratios, args.runs)
    if bad:
        print("\nnot every answer was 2xx:\n  " + "\n  ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
