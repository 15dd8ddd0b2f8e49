#!/usr/bin/env bash
# PostgreSQL benchmarks (docs/benchmarks.md): ingest from one node and from two nodes at
# once into one database, then claims through the HTTP API from two nodes at once, with
# the double claims counted.
#
#   scripts/bench-postgres.sh [path/to/release/callbacks]
#
# Starts a throwaway PostgreSQL cluster of its own (initdb under /tmp, as nobody when run
# as root; loopback only; default settings, so every commit is flushed to disk), and
# stops and deletes it at the end, also on failure or Ctrl-C. Every run is bounded in
# time. Needs PostgreSQL's server programs, psql and python3; the claims need wrk (and
# are skipped, saying so, without it).
#
# MESSAGES (per node, default 2000), CALLBACKS (open callbacks for the claims, default
# 60000), DURATION (seconds of wrk per run, default 10), CONNECTIONS (per node, 16).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/release/callbacks}")
[ -x "$binary" ] || { echo "no binary at $binary: swift build -c release --product callbacks" >&2; exit 2; }
messages=${MESSAGES:-2000}
callbacks=${CALLBACKS:-60000}
duration=${DURATION:-10}
connections=${CONNECTIONS:-16}
fixture=$(realpath fixtures/audio/speech.wav)

bin=${AFTERHOURS_PG_BIN:-}
if [ -z "$bin" ]; then
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$candidate/initdb" ] && { bin=$candidate; break; }
  done
fi
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "PostgreSQL's server programs not found (apt-get install postgresql)" >&2; exit 2; }

work=$(mktemp -d /tmp/afterhours-bench-XXXXXX)
chmod 755 "$work"
runas=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$work"
  runas=(runuser -u nobody --)
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${runas[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

port=$(free_port)
(cd /tmp && "${runas[@]}" "$bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1)
(cd /tmp && "${runas[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null)
psql() { command psql -X -q -A -t -h 127.0.0.1 -p "$port" -U postgres "$@"; }
url() { echo "postgresql://postgres@127.0.0.1:$port/$1?sslmode=disable"; }

echo "machine: $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "PostgreSQL: $("$bin/postgres" --version | sed 's/^postgres //'), default settings (fsync on, synchronous_commit on), max_connections=200; $("$binary" --version 2>/dev/null || echo callbacks)"

# A node: its own folder, spool and callbacks.yaml on database $2 (a name on the cluster,
# or a path ending in .sqlite); HTTP on port $3 if given.
make_node() {
  local folder=$1 database=$2 http=${3:-}
  local storage; storage=$(url "$database")
  case $database in *.sqlite) storage=$database ;; esac
  mkdir -p "$folder/spool"
  cat >"$folder/callbacks.yaml" <<EOF
business:
  name: Bench Plumbing
  timezone: America/New_York
  hours:
    mon: ["08:00-17:00"]
    tue: ["08:00-17:00"]
    wed: ["08:00-17:00"]
    thu: ["08:00-17:00"]
    fri: ["08:00-17:00"]
callbacks:
  respond_within: 2h
  claim_lease: 30m
spool:
  path: spool
  archive: archive
  quarantine: quarantine
  settle: 0s
storage:
  database: "$storage"
EOF
  if [ -n "$http" ]; then printf 'http:\n  listen: 127.0.0.1:%s\n' "$http" >>"$folder/callbacks.yaml"; fi
}

# $3 messages into $1's spool, callers numbered from $2 (each its own caller), a WAV of
# 3.7 s speech each, made unique by a trailing byte string, with Asterisk's .txt.
fill_spool() {
  python3 - "$1/spool" "$2" "$3" "$fixture" <<'EOF'
import os, sys
spool, first, count, fixture = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
audio = open(fixture, "rb").read()
for i in range(count):
    folder = os.path.join(spool, "default", str(1001 + i % 10), "INBOX")
    os.makedirs(folder, exist_ok=True)
    slot = os.path.join(folder, "msg%04d" % (i // 10))
    with open(slot + ".wav", "wb") as f:
        f.write(audio + b"%d-%d" % (first, i))
    with open(slot + ".txt", "w") as f:
        f.write(";\n; Message Information file\n;\n[message]\norigmailbox=1001\ncontext=from-internal\n"
                "callerid=<%d>\norigtime=%d\nmsg_id=%d-%d\nflag=\nduration=4\n\n"
                % (2120000000 + first + i, 1795280400 + i, first, i))
EOF
}

now=2026-11-23T08:05:00-05:00
seconds_since() { python3 -c "import time, sys; print('%.3f' % (time.time() - float(sys.argv[1])))" "$1"; }

# --- Ingest ------------------------------------------------------------------------------
# `callbacks ingest` per node, all started together; timed from the start to the last end.
ingest_run() {
  local nodes=$1 database=ingest$1
  psql -d postgres -c "CREATE DATABASE $database" >/dev/null
  local folders=()
  for node in $(seq 1 "$nodes"); do
    local folder="$work/ingest$nodes-node$node"
    make_node "$folder" "$database"
    fill_spool "$folder" $((node * 100000)) "$messages"
    folders+=("$folder")
  done
  # The schema first, so the timing is ingest alone; the spools' files are in the page cache.
  CALLBACKS_CONFIG="${folders[0]}/callbacks.yaml" CALLBACKS_NOW=$now "$binary" stats >/dev/null
  local start; start=$(python3 -c 'import time; print(time.time())')
  local running=()
  for folder in "${folders[@]}"; do
    CALLBACKS_CONFIG="$folder/callbacks.yaml" CALLBACKS_NOW=$now timeout 600 "$binary" ingest --json >"$folder/ingest.json" 2>"$folder/ingest.log" &
    running+=($!)
  done
  for pid in "${running[@]}"; do wait "$pid" || { echo "an ingest failed (exit $?): see ingest.log in $work" >&2; exit 1; }; done
  local elapsed; elapsed=$(seconds_since "$start")
  local stored distinct
  stored=$(psql -d "$database" -c "SELECT COUNT(*) FROM voicemail")
  distinct=$(psql -d "$database" -c "SELECT COUNT(DISTINCT identity) FROM voicemail")
  local total=$((nodes * messages))
  [ "$stored" = "$total" ] && [ "$distinct" = "$total" ] || { echo "stored $stored ($distinct distinct) of $total" >&2; exit 1; }
  python3 -c "import sys; n, s = int(sys.argv[1]), float(sys.argv[2]); print('ingest, %s node(s), %d messages: %.2f s, %.0f messages/s' % (sys.argv[3], n, s, n / s))" "$total" "$elapsed" "$nodes"
  for folder in "${folders[@]}"; do rm -rf "$folder"; done
}
# The same ingest into SQLite, one node, on the machine as it is now: the control.
ingest_sqlite() {
  local folder="$work/ingest-sqlite"
  make_node "$folder" "$folder/afterhours.sqlite"
  fill_spool "$folder" 900000 "$messages"
  CALLBACKS_CONFIG="$folder/callbacks.yaml" CALLBACKS_NOW=$now "$binary" stats >/dev/null
  local start; start=$(python3 -c 'import time; print(time.time())')
  CALLBACKS_CONFIG="$folder/callbacks.yaml" CALLBACKS_NOW=$now timeout 600 "$binary" ingest --json >"$folder/ingest.json" 2>"$folder/ingest.log"
  local elapsed; elapsed=$(seconds_since "$start")
  python3 -c "import sys; n, s = int(sys.argv[1]), float(sys.argv[2]); print('ingest into SQLite (the control), 1 node, %d messages: %.2f s, %.0f messages/s' % (n, s, n / s))" "$messages" "$elapsed"
  rm -rf "$folder"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ingest_sqlite
ingest_run 1
ingest_run 2

# --- Claims ------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  echo "claims: skipped, wrk is not installed (apt-get install wrk)"
  exit 0
fi
database=claims
psql -d postgres -c "CREATE DATABASE $database" >/dev/null
ports=("$(free_port)" "$(free_port)")
folders=("$work/claims-node1" "$work/claims-node2")
make_node "${folders[0]}" "$database" "${ports[0]}"
make_node "${folders[1]}" "$database" "${ports[1]}"
tokens=()
for staff in alice bob; do
  tokens+=("$(CALLBACKS_CONFIG="${folders[0]}/callbacks.yaml" CALLBACKS_NOW=$now "$binary" people add "$staff" --role staff --json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')")
done
# Open callbacks, one message and its history each, due in a week (nothing breaches).
psql -d "$database" >/dev/null <<EOF
INSERT INTO callback (id, caller_number, caller_name, caller_raw, status, deadline, urgent, first_received_at, available_at, created_at)
  SELECT n, '+1212' || lpad(n::text, 7, '0'), 'Caller ' || n, '212' || lpad(n::text, 7, '0'), 'open',
    1795438800 + 604800 + n, n % 7 = 0, 1795280400 + n, 1795438800, 1795438800
  FROM generate_series(1, $callbacks) n;
SELECT setval('callback_id_seq', $callbacks);
INSERT INTO voicemail (identity, callback_id, received_at, context, mailbox, folder, urgent, caller_number, caller_raw,
    format, sample_rate, channels, frames, duration_seconds, silent, audio_path, ingested_at)
  SELECT 'bench/' || n, n, 1795280400 + n, 'default', '1001', 'INBOX', n % 7 = 0, '+1212' || lpad(n::text, 7, '0'),
    '212' || lpad(n::text, 7, '0'), 'wav', 8000, 1, 29374, 3.67, false, '/srv/archive/' || n || '.wav', 1795438800
  FROM generate_series(1, $callbacks) n;
INSERT INTO callback_event (callback_id, at, actor, kind, note)
  SELECT n, 1795438800, 'serve', 'ingested', 'message #' || n || ' on mailbox 1001' FROM generate_series(1, $callbacks) n;
VACUUM ANALYZE;
EOF
for i in 0 1; do
  CALLBACKS_CONFIG="${folders[$i]}/callbacks.yaml" CALLBACKS_NOW=$now CALLBACKS_LOG_LEVEL=warning \
    timeout $((duration + 120)) "$binary" serve >"${folders[$i]}/serve.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:${ports[$i]}/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
done
cat >"$work/next.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Accept"] = "application/json"
EOF
for i in 0 1; do
  TOKEN=${tokens[$i]} timeout $((duration + 30)) wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$work/next.lua" \
    "http://127.0.0.1:${ports[$i]}/api/v1/callbacks/next" >"$work/wrk$i.txt" 2>&1 &
  pids+=($!)
  wrks+=($!)
done
for pid in "${wrks[@]}"; do wait "$pid"; done
echo "load average after the claims: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 0 1; do
  rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk$i.txt")
  latency=$(awk '/^    Latency/ {print $2 " ± " $3; exit}' "$work/wrk$i.txt")
  errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk$i.txt")
  echo "claims via node $((i + 1)): ${rate}/s, latency ${latency}, non-2xx: ${errors:-0}"
done
read -r claimed distinct <<<"$(psql -d "$database" -F ' ' -c "SELECT COUNT(*), COUNT(DISTINCT callback_id) FROM callback_event WHERE kind = 'claimed'")"
python3 -c "import sys; c, s, d = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]); print('claims, both nodes: %d in %.0f s, %.0f claims/s; %d distinct callbacks, %d double claims' % (c, s, c / s, d, c - d))" \
  "$claimed" "$duration" "$distinct"
[ "$claimed" = "$distinct" ] || { echo "double claims" >&2; exit 1; }
