#!/bin/sh
# Container entrypoint: bring the database schema up to date, then run statusbot
# with the container's arguments (default: serve --http --port 3000).
# STATUSBOT_INIT=0 skips the migration, for replicas started after a one-off
# `statusbot init` (compose.yaml does this so replicas never migrate at once).
set -eu

if [ "${STATUSBOT_INIT:-1}" != "0" ]; then
    statusbot init
fi

# exec: statusbot replaces this shell, so it receives SIGTERM from `docker stop` directly.
exec statusbot "$@"
