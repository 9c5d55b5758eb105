#!/usr/bin/env bash
# Publishes one side of CrossDomain and installs it with its systemd user units.
# Run from a clone with the .NET 10 SDK; see --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/install.sh [OPTIONS] host|guest

  host    crossdomain-host and crossdomain-host@.service (one instance per VM)
  guest   crossdomain-proxy, crossdomain-proxy.socket/.service and WAYLAND_DISPLAY for the
          user session (environment.d, and /etc/profile.d for login shells)

Publishes the executable with `dotnet publish -c Release`, a native binary that needs only glibc
(the machine it runs on needs no .NET runtime; building it needs clang, see deploy/install-deps.sh),
copies it to PREFIX/lib/crossdomain with a link in PREFIX/bin, and installs the units where the
systemd user manager finds them.

Options:
  --prefix DIR   install under DIR (default /usr/local, or ~/.local with --user)
  --user         install for the current user only: units in ~/.local/share/systemd/user,
                 environment.d in ~/.config; no root needed
  --destdir DIR  stage the whole tree under DIR (paths inside the units stay as if installed
                 at PREFIX), e.g. to copy into a guest image that has no SDK
  --framework-dependent
                 publish the dlls instead, which run on the machine's .NET 10 runtime (a
                 quicker build, for development)
  --dry-run      print what would be done, do nothing
  -h, --help     show this help
EOF
}

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=""
per_user=false
destdir=""
dry_run=false
native=true
role=""

while (($#)); do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --user) per_user=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    --framework-dependent) native=false; shift ;;
    -h | --help) usage; exit 0 ;;
    host | guest)
      [[ -z "$role" ]] || { echo "install.sh: one role only (host or guest)" >&2; exit 2; }
      role=$1; shift ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$role" ]] || { echo "install.sh: say which side to install: host or guest (see --help)" >&2; exit 2; }

if $per_user; then
  prefix=${prefix:-$HOME/.local}
  unit_dir=${XDG_DATA_HOME:-$HOME/.local/share}/systemd/user
  environment_dir=${XDG_CONFIG_HOME:-$HOME/.config}/environment.d
  profile_dir=""
else
  prefix=${prefix:-/usr/local}
  unit_dir=$prefix/lib/systemd/user
  environment_dir=$prefix/lib/environment.d
  profile_dir=/etc/profile.d
fi
prefix=${prefix%/}
[[ "$prefix" == /* ]] || { echo "install.sh: --prefix must be an absolute path" >&2; exit 2; }
# The units name their executable by this path; sed below uses | as its separator.
[[ "$prefix" != *"|"* ]] || { echo "install.sh: --prefix may not contain '|'" >&2; exit 2; }
lib_dir=$prefix/lib/crossdomain
bin_dir=$prefix/bin

# The user manager reads units and environment.d only from fixed places (systemd-analyze --user
# unit-paths, environment.d(5)); under another prefix they are installed but not found.
if ! $per_user && [[ "$prefix" != /usr && "$prefix" != /usr/local ]]; then
  echo "install.sh: note: $unit_dir and $environment_dir are not on systemd's search paths;" \
       "link or copy the files into /etc/systemd/user and /etc/environment.d" >&2
fi

run() {
  if $dry_run; then
    printf '%q ' "$@"
    echo
  else
    "$@"
  fi
}

case "$role" in
  host)
    project=$repo/host/CrossDomain.Host.csproj
    executable=crossdomain-host
    units=(crossdomain-host@.service) ;;
  guest)
    project=$repo/guest-proxy/CrossDomain.GuestProxy.csproj
    executable=crossdomain-proxy
    units=(crossdomain-proxy.socket crossdomain-proxy.service) ;;
esac

if $dry_run; then
  staging=${TMPDIR:-/tmp}/crossdomain-publish.XXXXXX
else
  staging=$(mktemp -d "${TMPDIR:-/tmp}/crossdomain-publish.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
fi

if $native; then
  # The publish ./run.sh and tests/run.sh make (both executables into artifacts/native): after either,
  # MSBuild finds it up to date and this one costs seconds instead of a native compile.
  run dotnet publish "$repo/CrossDomain.Native.slnf" -c Release -nologo
  published=$repo/artifacts/native/$executable
else
  run dotnet publish "$project" -c Release -p:PublishAot=false -o "$staging/$executable" -nologo
  published=$staging/$executable/.
fi
run install -d "$destdir$lib_dir" "$destdir$bin_dir" "$destdir$unit_dir"
# Both executables may share the directory: they are built from one tree with the same dependencies.
run cp -R "$published" "$destdir$lib_dir/"
# Relative, so that it still points into PREFIX after a --destdir tree is copied into place; the
# executable follows the link to find appsettings.json (and the apphost its dlls).
run ln -sfn "../lib/crossdomain/$executable" "$destdir$bin_dir/$executable"
# The documented settings file, unless one is there: an update must not undo the user's edits.
if [[ -e "$destdir$lib_dir/appsettings.json" ]]; then
  echo "install.sh: keeping $destdir$lib_dir/appsettings.json (deploy/config/$executable.appsettings.json has the defaults)"
else
  run install -m 0644 "$repo/deploy/config/$executable.appsettings.json" "$destdir$lib_dir/appsettings.json"
fi

for unit in "${units[@]}"; do
  run install -m 0644 "$repo/deploy/systemd/$unit" "$destdir$unit_dir/$unit"
  run sed -i "s|/usr/local/bin/|$bin_dir/|g" "$destdir$unit_dir/$unit"
done

if [[ "$role" == guest ]]; then
  run install -D -m 0644 "$repo/deploy/systemd/environment.d/50-crossdomain.conf" "$destdir$environment_dir/50-crossdomain.conf"
  if [[ -n "$profile_dir" ]]; then
    run install -D -m 0644 "$repo/deploy/profile.d/crossdomain-wayland.sh" "$destdir$profile_dir/crossdomain-wayland.sh"
  fi
fi

$dry_run && exit 0
echo "install.sh: installed $executable in $lib_dir, units in $unit_dir"
case "$role" in
  host)
    echo "next, as the desktop user: systemctl --user daemon-reload && systemctl --user enable --now crossdomain-host@VMNAME.service"
    echo "the VMM then connects to \$XDG_RUNTIME_DIR/crossdomain/VMNAME.sock" ;;
  guest)
    echo "next, as the guest user: systemctl --user daemon-reload && systemctl --user enable --now crossdomain-proxy.socket"
    echo "WAYLAND_DISPLAY=wayland-0 reaches the session from the next login on"
    if $per_user; then
      echo "login shells: add 'export WAYLAND_DISPLAY=wayland-0' to ~/.profile (environment.d covers only the user manager)"
    fi ;;
esac
