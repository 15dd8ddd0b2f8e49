#!/usr/bin/env bash
# The demo `make run` shows, and that the test suite runs too (DemoTests): the service
# watches an empty spool, the PBX drops the example voicemails into it, then staff see
# the queue as on Monday morning in New York.
#
# usage: scripts/demo.sh CALLBACKS_BINARY DEMO_FOLDER
# The clock never comes from the machine: the service starts at 08:00 New York time and
# runs from there; staff commands run at 08:05. Same output on any date, in any zone.
set -euo pipefail
binary=$1
demo=$2
here=$(cd "$(dirname "$0")/.." && pwd)
serve_start=2026-11-23T08:00:00-05:00
staff_now=2026-11-23T08:05:00-05:00

rm -rf "$demo" && mkdir -p "$demo/spool" && cp "$here/fixtures/demo.yaml" "$demo/callbacks.yaml"
# Traffic to replay with `callbacks simulate` (docs/promises.md).
cp -R "$here/fixtures/arrivals" "$demo/arrivals"
# The transcriber `make run` installed into the project's own Python environment.
printf 'transcription:\n  python: %s\n  threads: 2\n' "$here/.venv/bin/python" >> "$demo/callbacks.yaml"
export CALLBACKS_CONFIG=$demo/callbacks.yaml

echo "\$ callbacks serve   (in the background; log in $demo/serve.log)"
CALLBACKS_NOW=$serve_start "$binary" serve 2> "$demo/serve.log" &
serve=$!
trap 'kill -TERM $serve 2>/dev/null || true' EXIT
sleep 1
cp -Rp "$here/fixtures/spool/." "$demo/spool/"
echo "(the PBX drops six voicemails into $demo/spool)"
# Wait until every message has left the spool (at most 20 s; greetings stay), and their
# transcripts are written (at most a minute more), then stop the service.
for _ in $(seq 1 100); do
  [ -z "$(find "$demo/spool" -type f -name "msg*" -print -quit)" ] && break
  sleep 0.2
done
sleep 0.5
for _ in $(seq 1 120); do
  grep -q "transcription is off" "$demo/serve.log" && break
  CALLBACKS_NOW=$staff_now "$binary" list --all --json | grep -q '"transcript_status": *"pending"' || break
  sleep 0.5
done
kill -TERM $serve && wait $serve || true
trap - EXIT
cat "$demo/serve.log"

export CALLBACKS_NOW=$staff_now
echo && echo "\$ callbacks list" && "$binary" list
echo && echo "\$ callbacks next --as alice" && "$binary" next --as alice
echo && echo "\$ callbacks list --text leak" && "$binary" list --text leak
echo && echo "\$ callbacks next --as bob --json" && "$binary" next --as bob --json
echo && echo "(The demo lives in $demo; run more commands with: export CALLBACKS_CONFIG=$demo/callbacks.yaml CALLBACKS_NOW=$staff_now)"
