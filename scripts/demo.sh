#!/usr/bin/env bash
# `make demo`: runs `statusbot demo` once it exists; until then an honest
# command-line walk-through on the example data in a temporary folder
# (no Slack involved: prompts are queued, not sent).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if statusbot demo --help >/dev/null 2>&1; then
    exec statusbot demo "$@"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/statusbot-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
export STATUSBOT_DATABASE_URL="sqlite:///$work/statusbot.db"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
say() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }
step() { say "$@"; "$@"; }

echo "statusbot demo (command line only: 'statusbot demo' is not built yet)"
echo "working folder: $work"
step statusbot init
step statusbot import "$root/examples/initiatives.csv"
step statusbot roles grant koordinator@example.dk coordinator --area Socialområdet
as_of="$(date +%Y-%m-%d)"
deadline="$(date -d '+14 days' +%Y-%m-%dT12:00)"
say statusbot cycle open --area Socialområdet --as-of "$as_of" --deadline "$deadline" --remind 3d,1d
cycle="$(statusbot cycle open --area Socialområdet --as-of "$as_of" --deadline "$deadline" \
    --remind 3d,1d --title "Status pr. $as_of" | tee /dev/stderr | tail -n 1)"
step statusbot cycle list
step statusbot cycle show "$cycle"
echo
echo "The prompts for cycle $cycle are queued in the database; 'statusbot serve' would send them in Slack."
