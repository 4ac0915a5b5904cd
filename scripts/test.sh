#!/usr/bin/env bash
# The one test command: installs what the tests need when it is missing, starts PostgreSQL, runs every test.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# --- Debian packages: PostgreSQL for the job store, Chromium for the sandbox page, kubectl is in the image ---
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if ((${#need[@]})); then
  log "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- PostgreSQL: a local cluster, a role and a database for the tests ---
log "Starting PostgreSQL"
pg_version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$pg_version main$"; then
  pg_createcluster "$pg_version" main >/dev/null
fi
pg_ctlcluster "$pg_version" main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
pg_isready -h 127.0.0.1
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='jobsbot'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE jobsbot LOGIN SUPERUSER PASSWORD 'jobsbot'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='jobsbot_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O jobsbot jobsbot_test"
export JOBSBOT_TEST_POSTGRES="Host=127.0.0.1;Username=jobsbot;Password=jobsbot;Database=jobsbot_test"

# --- The tests ---
log "Running dotnet test"
results=$(mktemp -d)
set +e
dotnet test Specific.JobsBot.sln --logger "console;verbosity=normal" --results-directory "$results" "$@" 2>&1 | tee "$results/out.txt"
status=${PIPESTATUS[0]}
set -e

# One plain closing line, summed over every test assembly's "Total tests" block.
awk '/^ +Passed: +[0-9]+$/ { p += $2 } /^ +Failed: +[0-9]+$/ { f += $2 } /^ +Skipped: +[0-9]+$/ { s += $2 }
     END { printf "\nTests: %d passed, %d failed, %d skipped\n", p, f, s }' "$results/out.txt"
# Every skipped test by name, with the reason xunit gave for it.
awk '/\[SKIP\]$/ { sub(/^\[xUnit[^]]*\] +/, ""); sub(/ \[SKIP\]$/, ""); name = $0; getline; sub(/^\[xUnit[^]]*\] +/, ""); printf "skipped: %s: %s\n", name, $0 }' "$results/out.txt"
# Every failed test by name with the start of its message, last, so that a shortened log still shows it.
awk '/^ +Failed [^ ]/ && !/^ +Failed: / { sub(/^ +Failed /, ""); printf "failed: %s\n", $0; grab = 12; next }
     grab > 0 { if ($0 ~ /^ +(Passed|Failed|Skipped) / || $0 ~ /^\[xUnit/) { grab = 0 } else { print "  " $0; grab-- } }' "$results/out.txt"
exit "$status"
