#!/usr/bin/env bash
# The cross-domain part of the VM tier, run by guest-init.sh inside the host's root (shared over
# 9p, read-only; /run is the guest's own tmpfs): our proxy on the guest's virtio-gpu render node
# with the systemd unit's command line, then Wayland apps from the host's root connected to it.
# It reports on the serial console in guest-init.sh's "crossdomain-vm: KEY VALUE" lines.
#
# Usage: guest-apps.sh PROXY APP[,APP...]
#   PROXY  crossdomain-proxy as the host built it: a native binary, or a .dll run with dotnet
#   APP    wayland-info: run to its end, its output as "wayland-info| " lines;
#          any other client: started, reported "app-running APP", and stopped when a line comes
#          in on the console (the test writes one to QEMU's serial input once it has looked at the
#          host's screen), or after 300 s.
# After the last app it reports "apps-done" and waits for one more line before it stops the proxy.
set -u

report() { echo "crossdomain-vm: $*"; }

proxy=$1
IFS=, read -r -a apps <<<"$2"

export XDG_RUNTIME_DIR=/run/crossdomain-guest HOME=/run/crossdomain-guest/home TMPDIR=/run/crossdomain-guest/tmp
mkdir -p "$HOME" "$TMPDIR"
chmod 0700 "$XDG_RUNTIME_DIR"
# The .NET runtime's diagnostics IPC would want a writable /tmp; the guest needs none of it.
export DOTNET_EnableDiagnostics=0 DOTNET_CLI_TELEMETRY_OPTOUT=1

# The unit's ExecStart (deploy/systemd/crossdomain-proxy.service), without socket activation.
proxy_command=("$proxy" --transport kernel)
[[ $proxy == *.dll ]] && proxy_command=(/usr/bin/dotnet "${proxy_command[@]}")
"${proxy_command[@]}" >/run/crossdomain-guest/proxy.log 2>&1 &
proxy_pid=$!
started=$(cut -d ' ' -f 1 /proc/uptime)

waited=0
while [[ ! -S $XDG_RUNTIME_DIR/wayland-0 ]] && kill -0 $proxy_pid 2>/dev/null && ((waited < 1200)); do
  sleep 0.1; waited=$((waited + 1))
done
if [[ ! -S $XDG_RUNTIME_DIR/wayland-0 ]]; then
  report proxy-failed "no $XDG_RUNTIME_DIR/wayland-0 after $((waited / 10)) s"
  sed 's/^/proxy| /' /run/crossdomain-guest/proxy.log
  exit 1
fi
report proxy-listening "$(cut -d ' ' -f 1 /proc/uptime) (started $started)"
export WAYLAND_DISPLAY=wayland-0

for app in "${apps[@]}"; do
  case $app in
    wayland-info)
      timeout 120 wayland-info >/run/crossdomain-guest/app.out 2>&1
      status=$?
      sed 's/^/wayland-info| /' /run/crossdomain-guest/app.out
      report app-exit "$app $status";;
    *)
      "$app" >/run/crossdomain-guest/app.out 2>&1 &
      app_pid=$!
      report app-running "$app"
      read -r -t 300 _ </dev/console
      if kill -0 $app_pid 2>/dev/null; then
        kill $app_pid; wait $app_pid
        report app-stopped "$app"
      else
        wait $app_pid
        report app-exit "$app $?"
        sed "s/^/$app| /" /run/crossdomain-guest/app.out
      fi;;
  esac
done

# The test may kill the whole guest here, with the proxy's context still open on the host.
report apps-done
read -r -t 300 _ </dev/console
kill $proxy_pid
wait $proxy_pid
report proxy-exit $?
sed 's/^/proxy| /' /run/crossdomain-guest/proxy.log
