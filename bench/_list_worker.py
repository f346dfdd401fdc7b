"""One tree's side of ``bench.listing``: run in that tree (its own code and venv), on its own
seeded store; prints one JSON line with the command's times.

``bench.listing`` runs this file with the other tree as the working directory
(``python -c "runpy.run_path(...)" FILE JOB``), so every import below is that tree's. It
uses only what both trees have: ``bench.projections``' helpers, ``bench.seed`` and
``api.cli.main``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from bench.projections import COMMAND_RUNS, environment, run_cli, store_environ, timed, vacuum
from domain.user import PROVINCE
from domain.vocabulary import Role
from services.bootstrap import Registry

# api.cli's main by import: `python -m api.cli` ran main before the module had finished
# defining what it calls (bee04cb), which the import form does not depend on.
CLI = "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"


def prepare(job: dict[str, Any]) -> dict[str, str]:
    """The store of this tree (seeded with the job's cards unless an earlier run did it)."""
    environ = store_environ(job["store"], job["cards"], Path(job["workdir"]))
    if job["store"] == "postgres":  # a schema of this tree's own, beside the other tree's
        url = environ["TALENTCARD_DATABASE_URL"].rsplit("?", 1)[0]
        environ["TALENTCARD_DATABASE_URL"] = f"{url}?schema={job['schema']}"
    marker = Path(environ["TALENTCARD_DATA_DIR"]) / "seeded.json"
    if marker.exists():
        return environ
    child = {**os.environ, **environ}
    subprocess.run([sys.executable, "-c", CLI, "init"], env=child, check=True)
    subprocess.run(
        [sys.executable, "-m", "bench.seed", "--cards", str(job["cards"]),
         "--workers", str(job["workers"])],
        env=child,
        check=True,
    )
    subprocess.run([sys.executable, "-c", CLI, "keys", "init"], env=child, check=True)
    marker.write_text(json.dumps({"cards": job["cards"]}))
    return environ


def measure(job: dict[str, Any]) -> dict[str, Any]:
    environ = prepare(job)
    with environment(environ), Registry() as registry:
        registry.read_models.catch_up()  # not timed: a fresh store projects its history once
        name = f"bench.auditor.{uuid.uuid4().hex[:8]}"
        issued = registry.users.add(None, name=name, role=Role.AUDITOR, authority=PROVINCE)
        events = registry.ledger.recorder.max_notification_id() or 0
    if job["store"] == "postgres":
        vacuum(environ)
    argv = ["card", "list", "--limit", "50"]
    with environment({**environ, "TALENTCARD_API_KEY": issued.key}):
        run_cli(argv)  # warm: imports, the policy files' first load
        runs = [timed(lambda: run_cli(argv)) for _ in range(job.get("runs", COMMAND_RUNS))]
    # The service alone, on one open composition root: the page's query, whatever opening
    # the names takes, and the record of the read; no parser, no store opening.
    with environment(environ), Registry() as registry:
        auditor = registry.users.authenticate(issued.key)
        registry.cards.list_cards(auditor, limit=50)  # warm
        service = [
            timed(lambda: registry.cards.list_cards(auditor, limit=50))
            for _ in range(job.get("runs", COMMAND_RUNS))
        ]
    return {"events": events, "runs": runs, "service": service}


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))))
