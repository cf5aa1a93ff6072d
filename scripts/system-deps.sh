#!/usr/bin/env bash
# Install the system packages the tests need (Chromium and a math font for browser
# tests, PostgreSQL and Redis for the tests on real servers) when they are missing and this machine allows it (root with apt-get).
# Elsewhere print a loud warning: those tests then skip, except under CI=true,
# where the test suite treats a missing piece as a failure.
set -uo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
dpkg -s fonts-lmodern >/dev/null 2>&1 || packages+=(fonts-lmodern)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
[ -x /usr/bin/redis-server ] || packages+=(redis-server)

[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
    exit 0
  fi
  echo "system-deps: apt-get failed to install ${packages[*]}" >&2
else
  echo "system-deps: cannot install ${packages[*]} (needs root and apt-get)" >&2
fi

cat >&2 <<MSG
########################################################################
#  MISSING SYSTEM PACKAGES: ${packages[*]}
#  Browser, PostgreSQL and Redis tests will be SKIPPED (and FAIL under CI=true).
#  Install them with:  sudo apt-get install chromium fonts-lmodern postgresql redis-server
########################################################################
MSG
[ "${CI:-}" = "true" ] && exit 1
exit 0
