#!/usr/bin/env bash
# Runs a Wayland app through the whole bridge in local mode, from a clean clone on Debian 12:
# installs what is missing, builds crossdomain-host and crossdomain-proxy (native binaries by default),
# starts the host service and runs the app under `crossdomain-proxy run`; with --vm, in a real Linux
# guest under QEMU instead. `./run.sh --help` says more.
set -euo pipefail

readonly repository=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly program=${0##*/}

usage() {
  cat <<EOF
Usage: $program [OPTIONS] [-- APP [ARGS...]]

Runs APP (default: weston-simple-shm) through the CrossDomain bridge in local mode:
crossdomain-host serves a vhost-user-gpu socket, and crossdomain-proxy plays VM and guest,
relaying APP's Wayland connection through it to a compositor.

Both are the native binaries that \`dotnet publish\` makes in artifacts/native (they need no
.NET runtime); --framework-dependent runs the dlls of \`dotnet build\` under dotnet instead.

With --vm the app runs in a real guest instead: Debian's 6.1 kernel under QEMU 11.1, fetched
by deploy/vm/prepare.sh into ~/.cache/crossdomain-vm (about 160 MB the first time). The guest runs crossdomain-proxy --transport kernel on its
virtio-gpu render node and APP from the host's root, shared read-only over 9p. With
--vm-device vhost-user-gpu-pci the guest gets QEMU's dedicated device instead, from QEMU
10.0.2 built with deploy/vm/qemu-vhost-user-gpu-blob.patch (about 7 minutes the first time):
a device without host-visible memory, where shm buffers go to the host by transfers.

The compositor is yours when WAYLAND_DISPLAY is set. Otherwise a private headless weston is
started, and once APP has drawn, a screenshot of its output is saved and its path printed.

Options:
  --no-install          do not run deploy/install-deps.sh (which uses sudo to install
                        missing Debian packages)
  --no-build            do not build; run what the last build left (artifacts/native, or
                        with --framework-dependent the build output of --configuration)
  --vm                  run APP (a name, no arguments) in a QEMU guest, through its
                        kernel's virtio-gpu driver, for at most 5 minutes
  --vm-device NAME      the guest's GPU with --vm: vhost-user-test-device-pci (QEMU
                        11.1's generic device, with host-visible memory; the default)
                        or vhost-user-gpu-pci (patched QEMU 10.0.2, without it)
  --accel kvm|tcg       how QEMU runs the guest with --vm (default: kvm when /dev/kvm
                        is readable and writable, else tcg; under tcg the app draws
                        15-30 s after the boot starts)
  --framework-dependent build with \`dotnet build\` and run the dlls under dotnet: a
                        quicker build while developing (the native publish takes minutes)
  --configuration NAME  the build configuration to build and run (default: Release)
  --screenshot PATH     where to save the screenshot (headless weston only; default:
                        \${TMPDIR:-/tmp}/crossdomain-screenshot-DATE-TIME.png)
  --screenshot-and-exit stop APP once the screenshot is saved (headless weston only)
  --duration SECONDS    stop APP after SECONDS
  --timeout SECONDS     how long to wait for each server to come up and for APP to
                        draw (default: 30; with --vm 300, for the guest's boot)
  -h, --help            show this help

Exit status: APP's; 0 when this script stopped APP itself (--duration,
--screenshot-and-exit); 130 after Ctrl-C; otherwise non-zero with a one-line reason.
Ctrl-C stops everything the script started.
EOF
}

fail() {
  echo "$program: $*" >&2
  exit 1
}

progress() {
  echo "==> $*"
}

install=true
build=true
native=true
configuration=Release
screenshot_path=""
screenshot_and_exit=false
duration=""
timeout_seconds=""
vm=false
vm_device=""
accel=""
app=(weston-simple-shm)

while (($#)); do
  case $1 in
    --no-install) install=false ;;
    --no-build) build=false ;;
    --framework-dependent) native=false ;;
    --vm) vm=true ;;
    --vm-device) (($# >= 2)) || fail "--vm-device needs a device name"; vm_device=$2; shift ;;
    --accel) (($# >= 2)) || fail "--accel needs kvm or tcg"; accel=$2; shift ;;
    --configuration) (($# >= 2)) || fail "--configuration needs a name"; configuration=$2; shift ;;
    --screenshot) (($# >= 2)) || fail "--screenshot needs a path"; screenshot_path=$2; shift ;;
    --screenshot-and-exit) screenshot_and_exit=true ;;
    --duration) (($# >= 2)) || fail "--duration needs a number of seconds"; duration=$2; shift ;;
    --timeout) (($# >= 2)) || fail "--timeout needs a number of seconds"; timeout_seconds=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; (($#)) || fail "nothing after --: name the app to run"; app=("$@"); break ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
  shift
done

[[ -z $duration || $duration =~ ^[0-9]+$ ]] || fail "--duration takes whole seconds, not '$duration'"
[[ -n $timeout_seconds ]] || { $vm && timeout_seconds=300 || timeout_seconds=30; }
[[ $timeout_seconds =~ ^[1-9][0-9]*$ ]] || fail "--timeout takes whole seconds, not '$timeout_seconds'"
[[ -z $accel || $accel == kvm || $accel == tcg ]] || fail "--accel takes kvm or tcg, not '$accel'"
[[ -z $vm_device ]] || $vm || fail "--vm-device is for --vm"
vm_device=${vm_device:-vhost-user-test-device-pci}
[[ $vm_device == vhost-user-test-device-pci || $vm_device == vhost-user-gpu-pci ]] \
  || fail "--vm-device takes vhost-user-test-device-pci or vhost-user-gpu-pci, not '$vm_device'"
if [[ -z $accel ]]; then
  accel=tcg
  [[ -r /dev/kvm && -w /dev/kvm ]] && accel=kvm
fi
# The guest learns what to run from its kernel command line: names, no arguments.
if $vm; then
  ((${#app[@]} == 1)) && [[ ${app[0]} != *[,[:space:]]* ]] || fail "--vm runs one APP by name, without arguments"
  [[ $repository != *[,[:space:]]* ]] || fail "--vm needs a clone whose path has no commas or spaces (the guest's kernel command line names it)"
fi

# The user's compositor when there is one; otherwise ours, which we can screenshot.
headless=true
[[ -n ${WAYLAND_DISPLAY:-} ]] && headless=false
if ! $headless && { $screenshot_and_exit || [[ -n $screenshot_path ]]; }; then
  fail "screenshots are taken of the private headless weston only: unset WAYLAND_DISPLAY to use it"
fi
[[ -n $screenshot_path ]] || screenshot_path=${TMPDIR:-/tmp}/crossdomain-screenshot-$(date +%Y%m%d-%H%M%S).png

# --- Install and build --------------------------------------------------------------------------

if $install; then
  progress "installing missing dependencies (deploy/install-deps.sh)"
  bash "$repository/deploy/install-deps.sh" || fail "deploy/install-deps.sh failed"
fi

if $headless; then
  for tool in weston weston-screenshooter; do
    command -v "$tool" >/dev/null || fail "$tool is missing: run without --no-install, or install Debian's weston package"
  done
fi
if $build || ! $native; then
  command -v dotnet >/dev/null || fail "dotnet is missing: install the .NET 10 SDK"
fi
command -v "${app[0]}" >/dev/null || fail "${app[0]} is missing: nothing by that name on PATH"

# Each executable as a command line: the native binary itself, or dotnet and the dll.
if $native; then
  # Where Directory.Build.props' NativeBinariesDirectory says the executables publish.
  host_command=("$repository/artifacts/native/crossdomain-host")
  proxy_command=("$repository/artifacts/native/crossdomain-proxy")
  build_hint="run without --no-build"
else
  host_command=(dotnet "$repository/host/bin/$configuration/net10.0/crossdomain-host.dll")
  proxy_command=(dotnet "$repository/guest-proxy/bin/$configuration/net10.0/crossdomain-proxy.dll")
  build_hint="build with -c $configuration, or run without --no-build"
fi

if $build && $native; then
  # One publish for both: MSBuild builds the shared libraries once, and it skips the native compile
  # of an executable whose inputs have not changed since its last publish.
  progress "publishing the native crossdomain-host and crossdomain-proxy ($configuration; minutes the first time)"
  dotnet publish "$repository/CrossDomain.Native.slnf" -c "$configuration" -nologo || fail "the native publish failed"
elif $build; then
  for project in host/CrossDomain.Host.csproj guest-proxy/CrossDomain.GuestProxy.csproj; do
    progress "building $project ($configuration)"
    dotnet build "$repository/$project" -c "$configuration" -nologo || fail "the build of $project failed"
  done
fi
for file in "${host_command[-1]}" "${proxy_command[-1]}"; do
  [[ -f $file ]] || fail "${file#"$repository"/} is missing: $build_hint"
done

# --- Processes and their cleanup ----------------------------------------------------------------

work="" weston_pid="" host_pid="" proxy_pid="" qemu_pid=""

# Each server gets a process group of its own (job control on while it forks), so that stopping one
# can stop whatever it spawned (weston's helper clients, the app under the proxy), and so that a
# terminal's Ctrl-C reaches only this script, which then stops them in order.
start_in_own_group() {
  local -n started_pid=$1
  shift
  set -m
  "$@" &
  started_pid=$!
  set +m
}

# Sends SIGNAL to a group's leader, which stops its own children (the proxy passes it on to the app,
# weston disconnects its clients), waits up to SECONDS for it, then kills whatever is left of the
# group. The leader's exit status is left in stopped_status.
stopped_status=0
stop_group() {
  local pid=$1 signal=$2 seconds=$3
  [[ -n $pid ]] || return 0
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL -- -"$pid" 2>/dev/null || true
  stopped_status=0
  wait "$pid" 2>/dev/null || stopped_status=$?
}

cleanup_done=false
keep_work=false
cleanup() {
  $cleanup_done && return
  cleanup_done=true
  # The app first, then what served it. The proxy passes SIGTERM on to the app and exits once the app
  # has; SIGTERM rather than SIGINT because a shell starts background commands with SIGINT ignored
  # when it has no job control, and such a proxy would never hear it.
  stop_group "$proxy_pid" TERM 5
  stop_group "$qemu_pid" TERM 5
  stop_group "$host_pid" TERM 5
  stop_group "$weston_pid" TERM 5
  proxy_pid="" qemu_pid="" host_pid="" weston_pid=""
  [[ -n $work ]] || return 0
  if $keep_work; then
    echo "$program: logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}

on_exit() {
  local status=$?
  ((status == 0 || status == 130 || status == 143)) || keep_work=true
  cleanup
  exit "$status"
}

on_signal() {
  local status=$1
  # A second Ctrl-C, or the same signal sent to the script and to its process group (as timeout(1)
  # does), must not interrupt the cleanup it started: bash would leave the servers running.
  trap '' INT TERM
  echo
  progress "stopping (signal)"
  cleanup
  exit "$status"
}

trap on_exit EXIT
# Any other failure still ends in one line that says what failed.
trap 'echo "$program: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# Everything private lives here: weston's runtime directory (mode 0700, as libwayland wants),
# both sockets, the servers' logs. It is removed on success and kept, with its path printed, on failure.
work=$(mktemp -d "${TMPDIR:-/tmp}/crossdomain-run.XXXXXX")
runtime=$work/runtime
mkdir -m 0700 "$runtime"
host_socket=$runtime/gpu.sock

wait_for_socket() {
  local path=$1 pid=$2 name=$3 log=$4
  local deadline=$((SECONDS + timeout_seconds))
  until [[ -S $path ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 5 "$log" >&2 || true
      fail "$name exited before its socket $path was up"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 5 "$log" >&2 || true
      fail "$name's socket $path was not up in $timeout_seconds s"
    fi
    sleep 0.1
  done
}

# weston-screenshooter writes wayland-screenshot-DATE_TIME.png into its working directory; each shot
# gets an empty directory so that two in one second cannot be confused. Prints the file's path.
take_screenshot() {
  mkdir -p "$work/shots"
  local directory
  directory=$(mktemp -d "$work/shots/XXXXXX")
  (cd "$directory" && XDG_RUNTIME_DIR=$runtime WAYLAND_DISPLAY=weston weston-screenshooter) >/dev/null 2>&1 || return 1
  local files=("$directory"/wayland-screenshot-*.png)
  [[ -f ${files[0]} ]] || return 1
  echo "${files[0]}"
}

# --- Compositor ----------------------------------------------------------------------------------

if $headless; then
  # Nothing on the empty desktop may change by itself, so that any change in a screenshot is the app's:
  # no clock, no start-up fade, no window animation. A plain background (no image) makes the app's
  # pixels easy to tell from the desktop's.
  cat >"$work/weston.ini" <<'EOF'
[core]
idle-time=0

[shell]
background-image=
background-color=0xff203040
clock-format=none
startup-animation=none
animation=none
close-animation=none
EOF
  progress "starting a private headless weston (log: $work/weston.log)"
  start_in_own_group weston_pid env XDG_RUNTIME_DIR="$runtime" weston --backend=headless-backend.so \
    --use-pixman --width=1024 --height=768 --socket=weston --idle-time=0 --debug \
    --config="$work/weston.ini" >"$work/weston.log" 2>&1
  echo "weston pid $weston_pid"
  wait_for_socket "$runtime/weston" "$weston_pid" weston "$work/weston.log"
  compositor=$runtime/weston
  # The empty desktop, once weston has painted it: two shots in a row alike.
  empty_desktop=""
  deadline=$((SECONDS + timeout_seconds))
  while :; do
    shot=$(take_screenshot) || shot=""
    if [[ -n $shot && -n $empty_desktop ]] && cmp -s "$shot" "$empty_desktop"; then break; fi
    if [[ -n $shot ]]; then empty_desktop=$shot; fi
    ((SECONDS < deadline)) || fail "weston's desktop did not settle in $timeout_seconds s (log: $work/weston.log)"
    sleep 0.2
  done
else
  compositor=$WAYLAND_DISPLAY
  progress "using your compositor: $compositor"
fi

# --- Host service and proxy ----------------------------------------------------------------------

progress "starting ${host_command[*]#"$repository"/} on $host_socket (log: $work/host.log)"
start_in_own_group host_pid "${host_command[@]}" --socket "$host_socket" --wayland-display "$compositor" \
  >"$work/host.log" 2>&1
echo "crossdomain-host pid $host_pid"
wait_for_socket "$host_socket" "$host_pid" crossdomain-host "$work/host.log"

if $vm; then
  prepare_options=()
  if [[ $vm_device == vhost-user-gpu-pci ]]; then
    prepare_options=(--patched-qemu)
    progress "preparing the guest (deploy/vm/prepare.sh --patched-qemu; downloads about 200 MB and builds QEMU for about 7 minutes the first time)"
  else
    progress "preparing the guest (deploy/vm/prepare.sh; downloads about 160 MB the first time)"
  fi
  bash "$repository/deploy/vm/prepare.sh" "${prepare_options[@]}" >"$work/prepare.log" 2>&1 || {
    tail -n 5 "$work/prepare.log" >&2
    fail "deploy/vm/prepare.sh ${prepare_options[*]} failed (log: $work/prepare.log)"
  }
  vm_env=$(sed -n 's/^prepare: ready: //p' "$work/prepare.log" | tail -n 1)
  [[ -f $vm_env ]] || fail "deploy/vm/prepare.sh named no vm.env (log: $work/prepare.log)"
  # shellcheck disable=SC1090
  . "$vm_env"
  # QEMU 11.1 runs through trixie's loader with its own module folder; the patched 10.0.2 has no
  # loadable modules and takes stock 10.0.2's firmware.
  if [[ $vm_device == vhost-user-gpu-pci ]]; then
    qemu_command=("$QEMU_PATCHED")
    firmware_path=$QEMU_FIRMWARE_DIRS
    gpu_device=vhost-user-gpu-pci,chardev=gpu
  else
    qemu_command=(env QEMU_MODULE_DIR="$QEMU11_MODULE_DIR" "$QEMU11_LOADER" --library-path "$QEMU11_LIBRARY_PATH" "$QEMU11")
    firmware_path=$QEMU11_FIRMWARE_DIRS
    gpu_device=vhost-user-test-device-pci,chardev=gpu,virtio-id=16,num_vqs=2,config_size=16
  fi
  firmware=()
  IFS=: read -r -a firmware_dirs <<<"$firmware_path"
  for directory in "${firmware_dirs[@]}"; do firmware+=(-L "$directory"); done
  # The guest's console is QEMU's stdin and stdout (-nographic): a line written to the fifo is what
  # guest-apps.sh waits for before it stops the app, and a second one before it stops the proxy.
  mkfifo "$work/console"
  exec 3<>"$work/console"
  progress "booting the guest ($accel, $vm_device; the app in it: ${app[0]}; console: $work/console.log)"
  start_in_own_group qemu_pid "${qemu_command[@]}" "${firmware[@]}" \
    -machine q35,accel=$accel -m 1024 \
    -object memory-backend-memfd,id=mem,size=1G,share=on -machine memory-backend=mem \
    -chardev socket,id=gpu,path="$host_socket" -device "$gpu_device" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on \
    -kernel "$KERNEL" -initrd "$INITRAMFS" -audiodev none,id=no-audio \
    -append "console=ttyS0 panic=-1 crossdomain.apps=$repository/deploy/vm/guest-apps.sh,${proxy_command[-1]},${app[0]}" \
    -nographic -no-reboot <&3 >"$work/console.log" 2>&1
  echo "qemu pid $qemu_pid"
fi

guest_said() { grep -q "crossdomain-vm: $1" "$work/console.log" 2>/dev/null; }

# Whether the app still runs: the proxy's child, or the guest's until it reports the app's end.
app_running() {
  if $vm; then
    kill -0 "$qemu_pid" 2>/dev/null && ! guest_said "app-exit" && ! guest_said "proxy-failed"
  else
    kill -0 "$proxy_pid" 2>/dev/null
  fi
}

# Stops the app we started; stopped_status is then its exit status.
stop_app() {
  if ! $vm; then
    stop_group "$proxy_pid" TERM 5
    return
  fi
  echo >&3
  local deadline=$((SECONDS + 30))
  until guest_said apps-done || ! kill -0 "$qemu_pid" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.2; done
  echo >&3
  # The guest stops its proxy and powers off; QEMU then exits by itself.
  deadline=$((SECONDS + 30))
  while kill -0 "$qemu_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$qemu_pid" 2>/dev/null; then
    echo "$program: the guest did not power off in 30 s; stopping QEMU" >&2
  else
    progress "the guest powered off"
  fi
  stop_group "$qemu_pid" TERM 5
}

if ! $vm; then
  progress "running ${app[*]} through ${proxy_command[*]#"$repository"/}"
  # The proxy's log and the app's own output go to the terminal.
  start_in_own_group proxy_pid "${proxy_command[@]}" run --host-socket "$host_socket" -- "${app[@]}"
  echo "crossdomain-proxy pid $proxy_pid"
else
  deadline=$((SECONDS + timeout_seconds))
  until guest_said "app-running" || guest_said "app-exit" || ! kill -0 "$qemu_pid" 2>/dev/null || ((SECONDS >= deadline)); do
    sleep 0.5
  done
  if ! guest_said "app-running" && ! guest_said "app-exit"; then
    grep "crossdomain-vm: \|proxy| " "$work/console.log" | tail -n 8 >&2 || true
    keep_work=true
    fail "the guest did not start ${app[0]} in $timeout_seconds s (console: $work/console.log)"
  fi
  progress "the guest runs ${app[0]}: $(grep -m 1 'crossdomain-vm: proxy-listening' "$work/console.log" | sed 's/.*proxy-listening/proxy listening at guest uptime/')"
fi

# When the app has drawn, it is on weston's output: the first screenshot that differs from the empty
# desktop shows it. This watches the pixels themselves, so it holds for any app and any machine speed,
# where a log line or a fixed wait after the client connected could only say the app had started.
stopped_by_us=false
if $headless; then
  screenshot_saved=false
  deadline=$((SECONDS + timeout_seconds))
  while app_running && ((SECONDS < deadline)); do
    if shot=$(take_screenshot) && ! cmp -s "$shot" "$empty_desktop"; then
      mkdir -p "$(dirname "$screenshot_path")"
      cp "$shot" "$screenshot_path"
      screenshot_saved=true
      progress "screenshot: $screenshot_path"
      if $screenshot_and_exit; then
        stopped_by_us=true
        stop_app
      fi
      break
    fi
    sleep 0.2
  done
  if ! $screenshot_saved; then
    if app_running; then
      echo "$program: ${app[0]} drew nothing on weston's output in $timeout_seconds s; no screenshot" >&2
    else
      echo "$program: ${app[0]} exited before it drew anything; no screenshot" >&2
    fi
  fi
fi

if [[ -n $duration ]] && app_running; then
  deadline=$((SECONDS + duration))
  while app_running && ((SECONDS < deadline)); do sleep 0.2; done
  if app_running; then
    stopped_by_us=true
    stop_app
  fi
fi

app_status=0
if $stopped_by_us; then
  app_status=$stopped_status
  # An app we stopped ourselves counts as done, however it answered the signal.
  if ((app_status == 130 || app_status == 143)); then app_status=0; fi
elif $vm; then
  while app_running; do sleep 0.5; done
  app_status=$(sed -n "s/.*crossdomain-vm: app-exit ${app[0]} \([0-9]*\).*/\1/p" "$work/console.log" | head -n 1)
  [[ -n $app_status ]] || app_status=1
  stop_app
else
  wait "$proxy_pid" || app_status=$?
fi
proxy_pid="" qemu_pid=""
progress "${app[0]} exited with $app_status"
exit "$app_status"
