#!/usr/bin/env bash
# The cross-domain part of the VM tier, run by guest-init.sh inside the host's root (shared over
# 9p, read-only; /run is the guest's own tmpfs): our proxy on the guest's virtio-gpu render node
# with the systemd unit's command line, then Wayland apps from the host's root connected to it.
# It reports on the serial console in guest-init.sh's "crossdomain-vm: KEY VALUE" lines.
#
# Usage: guest-apps.sh PROXY APP[,APP...]
#   PROXY  crossdomain-proxy as the host built it: a native binary, or a .dll run with dotnet
#   APP    wayland-info: run to its end, its output as "wayland-info| " lines;
#          copy-text: wl-copy of clipboard_text's 10 KiB, left serving the selection; reports
#          "copied SHA256 BYTES";
#          paste-text: reports "paste-ready", waits for a console line (the test has set the
#          host's selection by then), pastes with wl-paste and reports "pasted SHA256 BYTES";
#          any other client (a command, or a path): started, its output as "APP| " lines as they
#          come, reported "app-running APP", and stopped when a line comes in on the console (the
#          test writes one to QEMU's serial input once it has looked at the host's screen), or
#          after 300 s.
#   After each app, the proxy's new log lines as "proxy| " lines.
# After the last app it reports "apps-done" and waits for one more line before it stops the proxy.
set -u

report() { echo "crossdomain-vm: $*"; }

# The text the clipboard tests copy: ASCII lines that never repeat, so a lost or doubled chunk
# shows; the test makes the same bytes (CrossDomainGuestSession.ClipboardText).
clipboard_text() { # PREFIX
  local line
  for ((line = 0; line < 400; line++)); do printf '%s line %05d of the copied text\n' "$1" $line; done | head -c 10240
}

# The proxy logs a client's close (with what its shm cost) as it notices the socket go: up to 5 s
# for every client it logged connected to have closed, but those meant to stay (wl-copy's child).
staying=0
wait_for_closes() {
  local waited
  for ((waited = 0; waited < 50; waited++)); do
    (($(grep -c ' closed: ' /run/crossdomain-guest/proxy.log) + staying >= $(grep -c ' connected$' /run/crossdomain-guest/proxy.log))) && return
    sleep 0.1
  done
}

proxy_lines_shown=0
show_proxy_log() {
  local lines
  lines=$(wc -l </run/crossdomain-guest/proxy.log)
  sed -n "$((proxy_lines_shown + 1)),${lines}p" /run/crossdomain-guest/proxy.log | sed 's/^/proxy| /'
  proxy_lines_shown=$lines
}

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
    copy-text)
      # wl-copy forks: its child serves the selection until another client takes it over. The
      # text goes as an argument: from stdin wl-copy would keep it in a file under /tmp, which
      # is the host's, read-only (and a tmpfs there would hide a repository cloned under /tmp).
      timeout 60 wl-copy --type 'text/plain;charset=utf-8' "$(clipboard_text guest)" 2>/run/crossdomain-guest/app.out
      status=$?
      sed 's/^/copy-text| /' /run/crossdomain-guest/app.out
      report copied "$(clipboard_text guest | sha256sum | cut -d ' ' -f 1) $(clipboard_text guest | wc -c)"
      report app-exit "$app $status";;
    paste-text)
      report paste-ready
      read -r -t 300 _ </dev/console
      timeout 60 wl-paste --no-newline --type 'text/plain;charset=utf-8' >/run/crossdomain-guest/pasted 2>/run/crossdomain-guest/app.out
      status=$?
      sed 's/^/paste-text| /' /run/crossdomain-guest/app.out
      report pasted "$(sha256sum </run/crossdomain-guest/pasted | cut -d ' ' -f 1) $(wc -c </run/crossdomain-guest/pasted)"
      report app-exit "$app $status";;
    *)
      # Its output goes to the console as it comes, a line at a time, so that the test can wait
      # for what the app prints (wev prints every key it gets).
      name=${app##*/}
      stdbuf -oL -eL "$app" > >(sed -u "s/^/$name| /") 2>&1 &
      app_pid=$!
      report app-running "$name"
      read -r -t 300 _ </dev/console
      if kill -0 $app_pid 2>/dev/null; then
        kill $app_pid; wait $app_pid
        report app-stopped "$name"
      else
        wait $app_pid
        report app-exit "$name $?"
      fi;;
  esac
  [[ $app == copy-text ]] && staying=$((staying + 1))
  wait_for_closes
  show_proxy_log
done

# The test may kill the whole guest here, with the proxy's context still open on the host.
report apps-done
read -r -t 300 _ </dev/console
kill $proxy_pid
wait $proxy_pid
report proxy-exit $?
show_proxy_log
