#!/usr/bin/env bash
# crossdomain-bench's round-trip and 1080p loads, three runs each, on the Wayland display this runs
# under: in a guest as a guest-apps.sh app (crossdomain.apps=…,PATH/bench-load.sh), or in local
# mode under `crossdomain-proxy run --`. Needs `dotnet build -c Release` of tests/CrossDomain.Bench.
set -eu
bench=$(dirname "$(readlink -f "$0")")/../../tests/CrossDomain.Bench/bin/Release/net10.0/crossdomain-bench.dll
socket=$WAYLAND_DISPLAY
[[ $socket == /* ]] || socket=$XDG_RUNTIME_DIR/$socket
for run in 1 2 3; do
  /usr/bin/dotnet "$bench" load sync "$socket"
  /usr/bin/dotnet "$bench" load frames "$socket"
done
echo "bench-load done"
