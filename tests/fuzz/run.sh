#!/usr/bin/env bash
# Coverage-guided fuzzing of one input surface with SharpFuzz and AFL++.
#   tests/fuzz/run.sh TARGET [SECONDS]
# Builds, instruments a private copy of the assemblies under test (the normal build stays
# uninstrumented, so the tests never run instrumented code), fuzzes from tests/fuzz/corpus/TARGET
# for SECONDS (default 180), or until EXECUTIONS=N executions when that is set, and prints AFL's counts. With SAVE_CORPUS=1 the queue is minimised
# (afl-cmin) and written back to the corpus folder.
set -euo pipefail

target=${1:?usage: tests/fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-180}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=$here/corpus/$target
out=$here/out/$target
bin=$out/bin
export PATH="$PATH:$HOME/.dotnet/tools"
# afl-cmin wants the program as a path, not a name to look up.
dotnet=$(command -v dotnet)

case $target in
  crossdomain|control|vhost-user) instrument=(crossdomain-host.dll CrossDomain.VirtioGpu.dll) ;;
  virtqueue) instrument=(CrossDomain.VirtioGpu.dll) ;;
  firewall) instrument=(crossdomain-host.dll CrossDomain.Wayland.dll) ;;
  proxy-events) instrument=(crossdomain-proxy.dll CrossDomain.Wayland.dll) ;;
  *) echo "unknown target '$target'" >&2; exit 2 ;;
esac
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "afl-fuzz missing: apt-get install -y afl++" >&2; exit 2; }
command -v sharpfuzz >/dev/null || { echo "sharpfuzz missing: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 2; }

dotnet build "$root/tests/fuzz/CrossDomain.Fuzz/CrossDomain.Fuzz.csproj" -c Release -nologo -clp:NoSummary -warnaserror -v:q
rm -rf "$out"
mkdir -p "$out"
cp -r "$root/tests/fuzz/CrossDomain.Fuzz/bin/Release/net10.0" "$bin"
for assembly in "${instrument[@]}"; do sharpfuzz "$bin/$assembly" >/dev/null; done

# dotnet is not an AFL-built binary; the core pattern and CPU governor are the machine's, not ours to change.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
budget=(-V "$seconds")
[ -n "${EXECUTIONS:-}" ] && budget=(-E "$EXECUTIONS")
# The exception behind each crash, which AFL does not keep.
export CROSSDOMAIN_FUZZ_FINDINGS=$out/findings.log
start=$(date +%s)
afl-fuzz -i "$corpus" -o "$out/findings" "${budget[@]}" -t 10000 -m none -- "$dotnet" "$bin/CrossDomain.Fuzz.dll" "$target" >"$out/afl.log" 2>&1 || {
  echo "afl-fuzz failed; the end of its log:" >&2; tail -30 "$out/afl.log" >&2; exit 1; }
elapsed=$(( $(date +%s) - start ))

stats=$out/findings/default/fuzzer_stats
field() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
echo "target $target: ${elapsed}s, executions $(field execs_done) ($(field execs_per_sec)/s), paths $(field corpus_count)," \
  "crashes $(field saved_crashes), hangs $(field saved_hangs), stability $(field stability)"
for kind in crashes hangs; do
  for file in "$out/findings/default/$kind"/id:*; do [ -e "$file" ] && echo "  $kind: $file"; done
done
[ -s "$CROSSDOMAIN_FUZZ_FINDINGS" ] && echo "  the exceptions behind the crashes: $CROSSDOMAIN_FUZZ_FINDINGS"

if [ "${SAVE_CORPUS:-0}" = 1 ]; then
  minimised=$out/minimised
  if AFL_SKIP_BIN_CHECK=1 timeout 300 afl-cmin -i "$out/findings/default/queue" -o "$minimised" -t 10000 -m none -- \
      "$dotnet" "$bin/CrossDomain.Fuzz.dll" "$target" >"$out/cmin.log" 2>&1; then
    source_dir=$minimised
  else
    echo "afl-cmin failed (see $out/cmin.log); saving the queue as it is" >&2
    source_dir=$out/findings/default/queue
  fi
  # AFL's names carry ':' and ',', awkward in git and on some file systems; keep the seeds' names.
  # Seeds and regression inputs (crashes that were fixed) stay; the rest is replaced by the new queue.
  find "$corpus" -type f ! -name 'seed-*' ! -name 'regression-*' -delete
  n=0
  for file in "$source_dir"/*; do
    [ -f "$file" ] || continue
    case $(basename "$file") in *orig:seed-*) continue ;; esac
    cp "$file" "$corpus/afl-$(printf %04d $n)"; n=$((n + 1))
  done
  echo "corpus $corpus: $(ls "$corpus" | wc -l) files, $(du -sh "$corpus" | cut -f1)"
fi
