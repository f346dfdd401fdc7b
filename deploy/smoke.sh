#!/usr/bin/env bash
# Smoke test of the deployed system without Docker: the processes compose.yaml runs, run
# directly against the local PostgreSQL, each as the role compose gives it.
#
#   1. a fresh database (dropped and recreated every run) owned by an owner role, and a
#      login runtime role made by the same script the postgres image runs
#      (deploy/postgres-initdb/10-app-role.sql), passwords in files as Docker secrets;
#   2. `talentcard init --app-role` as the owner (compose's `init`);
#   3. `talentcard keys init`, then `talentcard serve` and `talentcard projections run` in
#      the background as the runtime role (compose's `api` and `projector`), on a free
#      loopback port;
#   4. /ready and /health answer 200; one event written as the runtime role (the first
#      administrator, the bootstrap path compose.yaml's header shows) is projected, so
#      /ready shows every read model at the log's head; the projector's health check
#      (python -m api.probes) passes; the projector signs a checkpoint, which
#      /checkpoints/latest serves;
#   5. the runtime role cannot DELETE, UPDATE or TRUNCATE events, nor run DDL, nor delete
#      a person's data key but through an approved erasure (psql);
#   6. both processes stop cleanly on SIGTERM, and neither logged a traceback.
#
# Needs psql and a server at 127.0.0.1:5432 that trusts local connections (as CI's and
# the development machines' do), and `talentcard` on PATH (pip install -e '.[dev]').
# Settings: TALENTCARD_SMOKE_ADMIN_URL (a superuser; default the local postgres),
# TALENTCARD_SMOKE_DB. Any failure stops the script with "smoke: FAILED: ..." and exit 1;
# on every exit the processes it started are stopped (trap), and nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."

ADMIN_URL="${TALENTCARD_SMOKE_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
DB="${TALENTCARD_SMOKE_DB:-talentcard_smoke}"
OWNER="${DB}_owner"
APP="${DB}_app"
SCHEMA=talentcard
PG_HOSTPORT=127.0.0.1:5432

WORK="$(mktemp -d "${TMPDIR:-/tmp}/talentcard-smoke.XXXXXX")"
SERVE_PID=""
PROJECTOR_PID=""

say() { echo "smoke: $*"; }
die() {
    echo "smoke: FAILED: $*" >&2
    for log in "$WORK"/*.log; do
        [ -s "$log" ] || continue
        echo "---- last lines of $(basename "$log") ----" >&2
        tail -n 25 "$log" >&2
    done
    exit 1
}

stop() {  # stop one background process by its pid: SIGTERM, then wait up to 20 s
    local pid="$1" name="$2"
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    echo "smoke: $name (pid $pid) ignored SIGTERM for 20 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    return 1
}

cleanup() {
    local code=$?
    trap - EXIT
    stop "$SERVE_PID" "talentcard serve" || code=1
    stop "$PROJECTOR_PID" "talentcard projections run" || code=1
    wait 2>/dev/null || true
    rm -rf "$WORK"
    exit "$code"
}
trap cleanup EXIT
trap 'die "interrupted"' INT TERM
set -E  # any other failing command: its line and text, then the logs
trap 'die "line $LINENO: $BASH_COMMAND (exit $?)"' ERR

command -v psql >/dev/null || die "psql is not installed"
command -v talentcard >/dev/null || die "talentcard is not on PATH: pip install -e '.[dev]' in a venv"
pg_isready -h 127.0.0.1 -p 5432 -q || die "PostgreSQL does not answer at $PG_HOSTPORT"

# One smoke run at a time: they share the database and role names.
exec 9>"${TMPDIR:-/tmp}/talentcard-smoke-$DB.lock"
flock -n 9 || die "another smoke run on database $DB is in progress"

export PGOPTIONS="-c client_min_messages=warning"  # no NOTICE for IF EXISTS
admin() { psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }

# ---- 1. a fresh database, its owner and the runtime role --------------------------------
say "fresh database $DB, owner $OWNER, runtime role $APP"
( umask 077
  python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$WORK/postgres_password"
  python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$WORK/app_db_password" )
admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" \
    || die "could not drop the previous smoke database $DB"
admin -c "DROP ROLE IF EXISTS \"$APP\"" -c "DROP ROLE IF EXISTS \"$OWNER\"" \
    || die "could not drop the previous smoke roles"
admin -v owner="$OWNER" -v pw="$(cat "$WORK/postgres_password")" \
    <<<'CREATE ROLE :"owner" LOGIN PASSWORD :'"'pw'"';' || die "could not create role $OWNER"
admin -c "CREATE DATABASE \"$DB\" OWNER \"$OWNER\"" || die "could not create database $DB"
# The postgres image's own role script, pointed at this run's secret and role name.
sed -e "s|/run/secrets/app_db_password|$WORK/app_db_password|" -e "s|talentcard_app|$APP|g" \
    deploy/postgres-initdb/10-app-role.sql > "$WORK/10-app-role.sql"
admin -f "$WORK/10-app-role.sql" || die "deploy/postgres-initdb/10-app-role.sql failed"

OWNER_URL="postgresql://$OWNER@$PG_HOSTPORT/$DB?schema=$SCHEMA"
APP_URL="postgresql://$APP@$PG_HOSTPORT/$DB?schema=$SCHEMA&pool_size=4"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
ADMIN_DB_URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$ADMIN_URL" "$DB")"

# Only what compose.yaml sets reaches the processes (plus PATH and a home).
# Arrays, not functions: `"${AS_APP[@]}" CMD &` leaves $! the command's own pid (env
# execs it), so the trap's SIGTERM reaches the process itself, not a subshell.
AS_OWNER=(env -i PATH="$PATH" HOME="$WORK"
    TALENTCARD_DATABASE_URL="$OWNER_URL"
    TALENTCARD_DATABASE_PASSWORD_FILE="$WORK/postgres_password"
    TALENTCARD_DATA_DIR="$WORK/owner-data")
PEPPER="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
PASSPHRASE="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
AS_APP=(env -i PATH="$PATH" HOME="$WORK"
    TALENTCARD_DATABASE_URL="$APP_URL"
    TALENTCARD_DATABASE_PASSWORD_FILE="$WORK/app_db_password"
    TALENTCARD_DATA_DIR="$WORK/data"
    TALENTCARD_ID_PEPPER="$PEPPER"
    TALENTCARD_KEYS_DIR="$WORK/keys"
    TALENTCARD_KEY_PASSPHRASE="$PASSPHRASE"
    TALENTCARD_PUBLIC_BASE_URL="$BASE"
    TALENTCARD_READY_LAG=0
    TALENTCARD_CHECKPOINT_SECONDS=1)

# ---- 2. init, as the owner --------------------------------------------------------------
say "talentcard init --app-role $APP (as $OWNER)"
"${AS_OWNER[@]}" talentcard init --app-role "$APP" > "$WORK/init.log" 2>&1 || die "talentcard init failed"
grep -q "role $APP may read and append" "$WORK/init.log" || die "init did not grant $APP"

# ---- 3. keys, then the api and the projector, as the runtime role -----------------------
say "talentcard keys init (as $APP)"
"${AS_APP[@]}" talentcard keys init > "$WORK/keys.log" 2>&1 || die "talentcard keys init failed"

say "talentcard serve on $BASE and talentcard projections run (as $APP)"
"${AS_APP[@]}" talentcard serve --host 127.0.0.1 --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
"${AS_APP[@]}" talentcard projections run > "$WORK/projector.log" 2>&1 &
PROJECTOR_PID=$!

# GET URL: prints "STATUS BODY" (status 000 when nothing answers).
get() {
    python3 - "$1" <<'EOF'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
except OSError:
    print("000")
EOF
}

alive() {
    kill -0 "$SERVE_PID" 2>/dev/null || die "talentcard serve exited early"
    kill -0 "$PROJECTOR_PID" 2>/dev/null || die "talentcard projections run exited early"
}

# wait_ready CHECK: poll /ready (60 s) until it answers 200 and CHECK (python on `body`).
wait_ready() {
    local answer=""
    for _ in $(seq 1 120); do
        alive
        answer="$(get "$BASE/ready")"
        if [ "${answer%% *}" = 200 ] && python3 -c "import json, sys; body = json.loads(sys.argv[1]); sys.exit(0 if ($1) else 1)" "${answer#* }"; then
            return 0
        fi
        sleep 0.5
    done
    die "/ready did not answer 200 with $1 within 60 s; last answer: ${answer:-none}"
}

# ---- 4. the probes ----------------------------------------------------------------------
wait_ready "body['status'] == 'ready'"
say "/ready: 200"
health="$(get "$BASE/health")"
[ "$health" = '200 {"status":"ok","store":"postgres"}' ] || die "/health answered: $health"
say "/health: 200, store postgres"

say "one event as $APP: the first administrator (the bootstrap path)"
if "${AS_APP[@]}" talentcard users --help > /dev/null 2>&1; then
    "${AS_APP[@]}" talentcard users add smoke.admin --role administrator --authority province \
        > "$WORK/users.log" 2>&1 || die "talentcard users add failed"
else  # until the users command lands: the service it will call
    "${AS_APP[@]}" python3 -c '
from domain.vocabulary import Role
from services.bootstrap import Registry
with Registry() as registry:
    registry.users.add(None, name="smoke.admin", role=Role.ADMINISTRATOR, authority="province")
' > "$WORK/users.log" 2>&1 || die "adding the first administrator failed"
fi
wait_ready "all(p['head'] >= 1 and p['lag'] == 0 for p in body['projections'])"
say "/ready: 200, every read model at the log's head (TALENTCARD_READY_LAG=0)"
# Retried, as compose retries a health check: with a bound of 0 s the projector's own
# periodic checkpoint (every second here: three events of its own) leaves the read models
# behind for a moment between /ready's answer above and this one.
probed=""
for _ in $(seq 1 10); do
    if "${AS_APP[@]}" python3 -m api.probes > "$WORK/probe.log" 2>&1; then
        probed=yes
        break
    fi
    sleep 0.5
done
[ -n "$probed" ] || die "the projector's health check (python -m api.probes) failed 10 times"
say "python -m api.probes: $(cat "$WORK/probe.log")"

# The projector's periodic checkpoint (every second here) signs a tree head over the log
# with the log key; the api serves it publicly.
checkpoint=""
for _ in $(seq 1 60); do
    alive
    checkpoint="$(get "$BASE/checkpoints/latest")"
    [ "${checkpoint%% *}" = 200 ] && python3 -c "import json, sys; sys.exit(0 if json.loads(sys.argv[1])['size'] >= 1 else 1)" "${checkpoint#* }" && break
    sleep 0.5
done
[ "${checkpoint%% *}" = 200 ] || die "no checkpoint was signed by the projector within 30 s: ${checkpoint:-none}"
say "/checkpoints/latest: 200, signed by the projector's periodic task"

# The staff console's session is written by the runtime role (init granted its tables):
# the first administrator signs in with its key through the sign-in form, opens a page on
# the session cookie, and signs out, which ends the session on the server.
grep -o 'tck1\.[A-Za-z0-9._-]*' "$WORK/users.log" | head -1 > "$WORK/admin.key" \
    || die "no key in the output of talentcard users add"
python3 - "$BASE" "$WORK/admin.key" <<'EOF' || die "the console sign-in failed"
import http.cookiejar, re, sys, urllib.error, urllib.request, uuid
base, key = sys.argv[1], open(sys.argv[2]).read().strip()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
def token(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)
def redirected(request, to):
    try:
        web.open(request, timeout=5)
    except urllib.error.HTTPError as answer:
        assert answer.code == 303 and answer.headers["Location"].endswith(to), answer.code
        return
    sys.exit(f"no redirect to {to}")
form = web.open(base + "/console/sign-in", timeout=5).read().decode()
boundary = uuid.uuid4().hex
fields = {"name": "smoke.admin", "key": key, "csrf": token(form)}
body = "".join(
    f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
    for k, v in fields.items()
) + f"--{boundary}--\r\n"
redirected(urllib.request.Request(
    base + "/console/sign-in", data=body.encode(), method="POST",
    headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
), "/console/work")
page = web.open(base + "/console/cards", timeout=5).read().decode()
assert "smoke.admin" in page, "the page does not name the signed-in user"
redirected(urllib.request.Request(
    base + "/console/sign-out", data=f"csrf={token(page)}".encode(), method="POST",
    headers={"Content-Type": "application/x-www-form-urlencoded"},
), "/console/sign-in")
redirected(base + "/console/cards", "/console/sign-in")
EOF
say "/console/: the first administrator signed in (its session written as $APP), opened a page, signed out"

# ---- 5. the runtime role cannot rewrite the log -----------------------------------------
EVENTS="$SCHEMA.talentcard_events"
events() { psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qAt -c "SELECT count(*) FROM $EVENTS"; }
before="$(events)" || die "could not count the events as the superuser"
[ "$before" -ge 1 ] || die "no event in $EVENTS to test against"
refused() {  # refused WHAT SQL EXPECTED: as the runtime role, SQL must fail with EXPECTED
    local out
    if out="$(PGPASSWORD="$(cat "$WORK/app_db_password")" \
        psql "postgresql://$APP@$PG_HOSTPORT/$DB" -v ON_ERROR_STOP=1 -qAt -c "$2" 2>&1)"; then
        die "the runtime role could $1 (psql: ${out:-no output})"
    fi
    grep -q "$3" <<<"$out" || die "$1 as the runtime role failed, but not as expected: $out"
    say "$APP cannot $1: $(head -n 1 <<<"$out")"
}
refused "DELETE events" "DELETE FROM $EVENTS" "permission denied"
refused "UPDATE events" "UPDATE $EVENTS SET topic = 'x'" "append-only"
refused "TRUNCATE events" "TRUNCATE $EVENTS" "permission denied"
refused "DROP the events table" "DROP TABLE $EVENTS" "must be owner"
refused "disable the guard" "ALTER TABLE $EVENTS DISABLE TRIGGER talentcard_append_only" "must be owner"
# The people's data keys: deleted only through the function that checks an erasure two
# administrators approved (issue 25), never directly, and never changed.
refused "DELETE data keys" "DELETE FROM $SCHEMA.talentcard_person_keys" "permission denied"
refused "UPDATE data keys" "UPDATE $SCHEMA.talentcard_person_keys SET position = 0" "permission denied"
refused "erase keys unapproved" \
    "SELECT $SCHEMA.talentcard_erase_person_keys(gen_random_uuid(), ARRAY[]::uuid[], NULL)" "two people"
refused "rewrite the record of reads" "DELETE FROM $SCHEMA.talentcard_personal_reads" "permission denied"
after="$(events)" || die "could not count the events as the superuser"
[ "$after" = "$before" ] || die "the events table changed: $before rows before, $after after"

# ---- 6. a clean stop --------------------------------------------------------------------
alive
stop "$SERVE_PID" "talentcard serve" || die "talentcard serve did not stop on SIGTERM"
serve_code=0; wait "$SERVE_PID" || serve_code=$?
SERVE_PID=""
stop "$PROJECTOR_PID" "talentcard projections run" || die "the projector did not stop on SIGTERM"
projector_code=0; wait "$PROJECTOR_PID" || projector_code=$?
PROJECTOR_PID=""
# uvicorn shuts down gracefully on SIGTERM, then ends by that same signal (143).
case "$serve_code" in 0|143) ;; *) die "talentcard serve exited $serve_code";; esac
grep -q "Application shutdown complete" "$WORK/serve.log" || die "talentcard serve did not shut down gracefully"
[ "$projector_code" = 0 ] || die "talentcard projections run exited $projector_code on SIGTERM"
if grep -l "Traceback" "$WORK"/*.log; then die "a traceback was logged"; fi
say "both processes stopped cleanly on SIGTERM"

admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" -c "DROP ROLE IF EXISTS \"$APP\"" \
    -c "DROP ROLE IF EXISTS \"$OWNER\"" || die "could not drop the smoke database and roles"
say "passed"
