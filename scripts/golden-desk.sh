#!/usr/bin/env bash
# A morning at the desk, every command's words and JSON, for the golden test
# (DeskGoldenTests): ingest the example spool, then claim, refuse, close, retry, escalate,
# correct and resolve, at fixed instants. Its output must not change when the code behind
# it is rearranged; fixtures/golden/desk.txt holds it.
#
# usage: scripts/golden-desk.sh CALLBACKS_BINARY FOLDER
set -uo pipefail
binary=$1
folder=$2
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$folder" && mkdir -p "$folder/spool"
cp -Rp "$here/fixtures/spool/." "$folder/spool/"
cat > "$folder/callbacks.yaml" <<YAML
business:
  name: Acme Plumbing
  timezone: America/New_York
  hours:
    mon: ["08:00-12:00", "13:00-17:00"]
    tue: ["08:00-17:00"]
    wed: ["08:00-17:00"]
    thu: ["08:00-17:00"]
    fri: ["08:00-16:00"]
callbacks:
  respond_within: 2h
  urgent_within: 30m
  max_attempts: 2
spool:
  path: spool
  archive: archive
  quarantine: quarantine
storage:
  database: afterhours.sqlite
owner:
  mailboxes: ["200"]
  people: [olive]
  notify:
    - command: /bin/true
escalation:
  repeat_calls: 2
  repeat_window: 72h
  vip: ["+16175550123"]
YAML
export CALLBACKS_CONFIG=$folder/callbacks.yaml NO_COLOR=1 CALLBACKS_LOG_LEVEL=error
run() {
  # One command at one instant: its words, then its exit status when not 0.
  local at=$1; shift
  echo "\$ [$at] callbacks $*"
  CALLBACKS_NOW=$at "$binary" "$@" 2>&1
  local status=$?
  [ $status -eq 0 ] || echo "(exit $status)"
  echo
}
{
  m=2026-11-23T08:05:00-05:00
  run 2026-11-23T08:00:00-05:00 ingest
  run $m list
  run $m list --all --json
  run $m next --as alice
  run $m next --as bob --json
  run $m done 3 --as bob
  run $m release 2 --as bob
  run $m release 1 --as bob
  run $m no-answer 3 --as alice
  run 2026-11-23T10:00:00-05:00 next --as alice
  run 2026-11-23T10:01:00-05:00 no-answer 3 --as bob --force --note "voicemail again"
  run 2026-11-23T10:02:00-05:00 escalate 2 --as alice --reason ""
  run 2026-11-23T10:02:00-05:00 escalate 2 --as alice --reason "asked for the owner"
  run 2026-11-23T10:02:30-05:00 escalate 2 --as alice --reason "asked again"
  run 2026-11-23T10:03:00-05:00 note 2 --as alice ""
  run 2026-11-23T10:03:00-05:00 note 2 --as alice "sent a quote by email"
  run 2026-11-23T10:04:00-05:00 reopen 3 --as alice
  run 2026-11-23T10:04:30-05:00 done 2 --as alice --note "reached her"
  run 2026-11-23T10:05:00-05:00 reopen 2 --as alice --note "closed by mistake"
  run 2026-11-23T10:06:00-05:00 assign 2 --to carol --as alice
  run 2026-11-23T10:06:30-05:00 assign 2 --to dave --as alice
  run 2026-11-23T10:07:00-05:00 done 999 --as alice
  run 2026-11-23T10:08:00-05:00 escalations --as alice
  run 2026-11-23T12:30:00-05:00 escalations --as olive
  run 2026-11-23T12:30:00-05:00 escalations list --as olive --json
  run 2026-11-23T12:31:00-05:00 escalations ack 1 --as olive
  run 2026-11-23T12:31:00-05:00 escalations ack 1 --as olive
  run 2026-11-23T12:32:00-05:00 escalations resolve 1 --as olive --note ""
  run 2026-11-23T12:32:00-05:00 escalations resolve 1 --as olive --note "called them myself"
  run 2026-11-23T12:33:00-05:00 escalations resolve 1 --as olive --note "again"
  run 2026-11-23T12:33:00-05:00 escalations resolve 99 --as olive --note "none"
  run 2026-11-23T12:33:30-05:00 block "(212) 555-0147" --reason "sells solar panels" --as olive
  run 2026-11-23T12:33:40-05:00 reopen 5 --as olive
  run 2026-11-23T12:33:50-05:00 show 5 --as alice
  run 2026-11-23T12:34:00-05:00 escalations show 2 --as olive
  for id in 1 2 3 4 5; do run 2026-11-23T12:35:00-05:00 show $id --as olive; done
  run 2026-11-23T12:35:00-05:00 show 3 --as olive --json
  run 2026-11-23T12:36:00-05:00 done 3 --as carol
  run 2026-11-23T12:36:30-05:00 release 1 --as alice --force
  run 2026-11-23T12:37:00-05:00 escalations list --all --as olive
  run 2026-11-23T12:38:00-05:00 stats --as olive
  run 2026-11-23T12:38:00-05:00 list --all --as olive
} | sed "s#$folder#FOLDER#g"
