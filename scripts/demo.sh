#!/usr/bin/env bash
# `make demo`: one full reporting cycle on the built-in sample data, through the
# real bot against an in-process fake Slack (no Slack account, no settings).
# The approved report lands in ./statusbot-demo/ (override with --out DIR).
set -euo pipefail

exec statusbot demo --out statusbot-demo "$@"
