#!/usr/bin/env bash
# Debian packages the test suite needs besides the Python virtualenv:
#   prometheus  promtool (config/rule checks, rule unit tests) and the server the
#               observability integration test scrapes a worker with
#   chromium    headless browser for the status page screenshot test
# Idempotent: installs only what is missing. Never starts the Debian prometheus
# service: a policy-rc.d that denies service starts is in place during the
# install (there is no init system in CI containers anyway), and a service that
# was started regardless is stopped afterwards.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: need root to install: ${missing[*]} (run: sudo $0)" >&2
    exit 1
fi

policy=/usr/sbin/policy-rc.d
backup=""
if [ -e "$policy" ]; then
    backup=$(mktemp)
    cp -p "$policy" "$backup"
fi
restore_policy() {
    if [ -n "$backup" ]; then
        cp -p "$backup" "$policy" && rm -f "$backup"
    else
        rm -f "$policy"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 755 "$policy"

export DEBIAN_FRONTEND=noninteractive
echo "system-deps: installing ${missing[*]}" >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# If something started the packaged service anyway, stop it: tests start their own server.
if command -v service >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    service prometheus stop >/dev/null 2>&1 || true
fi

command -v promtool >/dev/null && command -v prometheus >/dev/null && command -v chromium >/dev/null
echo "system-deps: ok ($(promtool --version 2>&1 | head -n1); $(chromium --version 2>/dev/null))" >&2
