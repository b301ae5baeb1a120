#!/usr/bin/env bash
# Installs the real tools the tests run: promtool (Debian package `prometheus`) and amtool
# (`prometheus-alertmanager`) for the monitoring tests, and the PostgreSQL server (`postgresql`: initdb, pg_ctl) for
# the database automation's tests. Idempotent: prints nothing and exits 0 when all are already installed.
# Needs Debian/Ubuntu apt and root (or password-less sudo). Exits non-zero with the reason when it cannot install.
#
# Only the command-line tools are wanted, so the packages' services are not started during the install: when the
# machine has no /usr/sbin/policy-rc.d, a temporary one (exit 101, the Debian mechanism that Docker images use) is
# put in place and removed afterwards. The units stay installed but are not started by this script.
set -euo pipefail

case "${1:-}" in
  '') ;;
  --help | -h)
    echo 'Usage: bash scripts/setup-tools.sh   (run by npm test as its pretest step)'
    echo
    echo 'Installs promtool and amtool (Debian packages prometheus, prometheus-alertmanager) when they are not on PATH,'
    echo 'and the PostgreSQL server (postgresql) when initdb is neither on PATH nor in /usr/lib/postgresql/*/bin.'
    echo 'Needs apt and root or password-less sudo; prints nothing and exits 0 when both are already installed.'
    echo
    echo '--help    print this help'
    exit 0
    ;;
  *)
    echo "setup-tools: unknown option $1 (see --help)" >&2
    exit 2
    ;;
esac

packages=()
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
command -v amtool >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
# Debian keeps initdb off PATH, in /usr/lib/postgresql/<major>/bin (WMS_POSTGRES_LIB overrides that folder for tests).
command -v initdb >/dev/null 2>&1 || compgen -G "${WMS_POSTGRES_LIB:-/usr/lib/postgresql}/*/bin/initdb" >/dev/null ||
  packages+=(postgresql)
[ "${#packages[@]}" -eq 0 ] && exit 0

fail() {
  echo "setup-tools: cannot install ${packages[*]} (for promtool/amtool/PostgreSQL): $*" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 ||
  fail "apt-get not found; this script supports Debian/Ubuntu only. Install promtool (Prometheus >= 2.42) and amtool (Alertmanager >= 0.25) another way and put them on PATH."

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    fail "not running as root and password-less sudo is not available; run it as root: sudo bash scripts/setup-tools.sh"
  fi
fi

log="$(mktemp)"
policy=/usr/sbin/policy-rc.d
created_policy=no
cleanup() {
  if [ "$created_policy" = yes ]; then "${as_root[@]}" rm -f "$policy"; fi
  rm -f "$log"
}
trap cleanup EXIT

if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from wms-platform scripts/setup-tools.sh\nexit 101\n' |
    "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  created_policy=yes
fi

echo "setup-tools: installing ${packages[*]} with apt-get (for promtool/amtool/PostgreSQL)"
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -qq >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get update failed (is the Debian mirror reachable?); output above"
fi
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${packages[@]}" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get install failed; output above"
fi

for tool in promtool amtool; do
  command -v "$tool" >/dev/null 2>&1 || fail "apt-get finished but $tool is still not on PATH"
done
echo "setup-tools: $(promtool --version 2>&1 | head -n 1)"
echo "setup-tools: $(amtool --version 2>&1 | head -n 1)"
