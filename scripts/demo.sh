#!/usr/bin/env bash
# `make demo`: one full reporting cycle on the built-in sample data, through the
# real bot against an in-process fake Slack (no Slack account, no settings).
# The approved report and the demo's database (statusbot-demo.db, to look
# around in afterwards) land in ./statusbot-demo/ (override with --out DIR).
set -euo pipefail

exec "${STATUSBOT:-statusbot}" demo --out statusbot-demo --keep-db "$@"
