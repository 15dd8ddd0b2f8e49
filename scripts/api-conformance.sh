#!/usr/bin/env bash
# The API conformance check `make test` runs: the real `callbacks serve` on loopback, over
# the example spool, and schemathesis sending it requests generated from the OpenAPI
# document (Sources/HTTPService/openapi.yaml). Every response must match the document, so
# the document cannot drift from the code.
#
# usage: scripts/api-conformance.sh CALLBACKS_BINARY VENV_DIR [SCHEMATHESIS_OPTION...]
# VENV_DIR holds schemathesis (`make test` creates it). The clock is stopped at Monday
# 08:05 New York time, so the queue the requests see is the same on any date, in any zone.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 CALLBACKS_BINARY VENV_DIR [SCHEMATHESIS_OPTION...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$1" ] && [ -x "$1" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
[ -x "$2/bin/schemathesis" ] || { echo "$0: no $2/bin/schemathesis (make test installs it)" >&2; exit 2; }
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
schemathesis=$(cd "$2" && pwd)/bin/schemathesis
shift 2   # what is left goes to schemathesis, e.g. --include-path /api/v1/stats
document=$here/Sources/HTTPService/openapi.yaml
now=2026-11-23T08:05:00-05:00

work=$(mktemp -d "${TMPDIR:-/tmp}/afterhours-api.XXXXXX")
serve=""
cleanup() {
  if [ -n "$serve" ]; then kill -TERM "$serve" 2>/dev/null && wait "$serve" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port, picked by the kernel.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url=http://127.0.0.1:$port

# The demo's configuration, with every folder in $work and HTTP on the port.
sed -e "s|^\(  path:\) spool$|\1 $work/spool|" \
    -e "s|^\(  archive:\) archive$|\1 $work/archive|" \
    -e "s|^\(  quarantine:\) quarantine$|\1 $work/quarantine|" \
    -e "s|^\(  database:\) afterhours.sqlite$|\1 $work/afterhours.sqlite|" \
    -e "s|^\(  folder:\) greeting\b|\1 $work/greeting|" \
    "$here/fixtures/demo.yaml" > "$work/callbacks.yaml"
for key in path archive quarantine database; do
  grep -q "^  $key: $work/" "$work/callbacks.yaml" \
    || { echo "$0: fixtures/demo.yaml has no '  $key:' line this script can rewrite" >&2; exit 1; }
done
printf 'http: {listen: "127.0.0.1:%s", public_url: "%s"}\n' "$port" "$url" >> "$work/callbacks.yaml"
export CALLBACKS_CONFIG=$work/callbacks.yaml

mkdir -p "$work/spool"
cp -Rp "$here/fixtures/spool/." "$work/spool/"
CALLBACKS_NOW=$now "$binary" ingest > "$work/ingest.log" 2>&1 \
  || { cat "$work/ingest.log" >&2; exit 1; }
# The owner sees everything (escalations too), so every operation can answer 2xx; one
# escalation exists from the start, so its shape is checked whatever is generated.
token=$(CALLBACKS_NOW=$now "$binary" people add olivia --role owner --json \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
CALLBACKS_NOW=$now "$binary" escalate 1 --reason "asks for the owner" --as olivia > /dev/null

CALLBACKS_NOW=$now CALLBACKS_CLOCK=stopped "$binary" serve > "$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 1 100); do
  curl -fsS --max-time 2 -o /dev/null "$url/healthz" 2>/dev/null && break
  if ! kill -0 "$serve" 2>/dev/null; then
    echo "$0: callbacks serve exited:" >&2; cat "$work/serve.log" >&2; exit 1
  fi
  sleep 0.2
done
curl -fsS --max-time 2 -o /dev/null "$url/healthz" \
  || { echo "$0: no answer from $url/healthz after 20 s:" >&2; cat "$work/serve.log" >&2; exit 1; }

# The checks, and their exceptions, are in scripts/schemathesis.toml; the hooks teach it to
# send any value as an audio part. It runs in $work so that it finds no other
# schemathesis.toml and leaves no files in the checkout. A fixed seed makes every run send
# the same requests; 50 examples an operation take about 40 s. A busy machine must not
# fail the run, so the too_slow health check is off.
echo "schemathesis against $url (the server's log follows a failure)"
status=0
(cd "$work" && SCHEMATHESIS_HOOKS=$here/scripts/schemathesis_hooks.py "$schemathesis" --config-file "$here/scripts/schemathesis.toml" run "$document" \
  --url "$url" \
  -H "Authorization: Bearer $token" \
  --max-examples 50 \
  --generation-database none \
  --workers 1 \
  --request-timeout 10 \
  --seed 1 \
  --suppress-health-check too_slow \
  --no-color \
  "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo && echo "--- callbacks serve log ---" && cat "$work/serve.log"
  exit "$status"
fi
