#!/usr/bin/env bash
# Builds the solution (warnings are errors) and the native crossdomain-host and crossdomain-proxy, runs
# the whole test suite (the tests that start the executables start the native ones), then prints one
# line: "N passed, N failed" (", N skipped" when any were). Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

results=$(mktemp -d /tmp/crossdomain-tests.XXXXXX)
trap 'rm -rf "$results"' EXIT

if ! dotnet build CrossDomain.sln -c Release -nologo -clp:NoSummary -warnaserror; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Both in one publish; an executable whose inputs are unchanged since its last publish is not
# compiled again (MSBuild's own up-to-date check), so a rerun costs seconds, not minutes.
native_started=$SECONDS
if ! dotnet publish CrossDomain.Native.slnf -c Release -nologo -clp:NoSummary -warnaserror; then
  echo "native publish failed"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "native publish: $((SECONDS - native_started)) s"
export CROSSDOMAIN_TESTS_USE_NATIVE_BINARIES=1

dotnet test CrossDomain.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0 failed=0 skipped=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { local n; n=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"); echo "${n:-0}"; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  # Skipped tests are in the total but not executed; TRX's notExecuted counter stays 0 for them.
  skipped=$((skipped + $(count total) - $(count executed)))
done

# A crashed test host leaves no (or a partial) report: count the run itself as a failure.
if ((status != 0 && failed == 0)) || ((${#trx_files[@]} == 0)); then
  failed=$((failed + 1))
fi

line="$passed passed, $failed failed"
((skipped > 0)) && line+=", $skipped skipped"
echo "$line"
((failed == 0))
