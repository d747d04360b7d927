#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need, starts PostgreSQL, runs every test project,
# and ends with the line "N passed, N failed" read from the runners' TRX results.
#
#   scripts/test.sh          everything (CI: .ci/run)
#   scripts/test.sh --fast   the inner loop: core and HTTP tests on SQLite only — no apt, npm, PostgreSQL, Chromium or
#                            dovecot (tests marked [Trait("Needs", "Chromium")] or [Trait("Needs", "Dovecot")] and the
#                            browser tests are left out)
# Further arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Cli").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
fast=0
if [[ "${1:-}" == --fast ]]; then fast=1; shift; fi

results="$root/.build/test-results"
rm -rf "$results"
status=0
if ((fast)); then
  # PostgreSQL cases exist only when SHIRABE_TEST_PG names a server (TestApp.Providers): leave them out.
  unset SHIRABE_TEST_PG
  projects=(tests/Shirabe.Core.Tests/Shirabe.Core.Tests.csproj tests/Shirabe.Tests/Shirabe.Tests.csproj)
  for project in "${projects[@]}"; do dotnet build "$project" -c Release -v quiet -nologo; done
  filter=(--filter "Needs!=Chromium&Needs!=Dovecot")
else
  scripts/install.sh test
  # axe-core for the browser tests' accessibility scan (pinned by tests/Shirabe.Browser.Tests/package-lock.json).
  npm ci --prefix tests/Shirabe.Browser.Tests --no-audit --no-fund --loglevel=error
  export SHIRABE_TEST_PG="$(scripts/postgres.sh start)"
  # The IMAP mailbox of the bounce tests (they would start it themselves; here it is stopped at the end too).
  export SHIRABE_TEST_IMAP="$(scripts/dovecot.sh start)"
  trap 'scripts/postgres.sh stop; scripts/dovecot.sh stop' EXIT
  projects=(tests/*/*.csproj)
  dotnet restore Shirabe.slnx -v quiet
  dotnet build Shirabe.slnx --no-restore -c Release -v quiet -nologo
  filter=()
fi
# A --filter of the caller is combined with the fast run's own (dotnet test keeps only the last one given).
args=()
while (($#)); do
  if [[ "$1" == --filter && $# -ge 2 && ${#filter[@]} -gt 0 ]]; then filter=(--filter "($2)&${filter[1]}"); shift 2
  else args+=("$1"); shift; fi
done
# One run per test project, each with its own TRX file (a solution-wide run can give two projects the same file name).
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" --no-build -c Release --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    ${filter[@]+"${filter[@]}"} ${args[@]+"${args[@]}"} || status=$?
done

# Sum the counters of every TRX file: the .NET runners do not print the closing line CI reads.
passed=0; failed=0; files=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if ((files == 0 || passed + failed == 0)); then
  echo "no test ran" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit $status
