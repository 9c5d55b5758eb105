#!/usr/bin/env bash
# Installs the system packages that building and testing CrossDomain need, on Debian 12.
# Idempotent and non-interactive: packages already present are left alone, and apt is only
# touched when something is missing. Run as root (or with sudo available).
set -euo pipefail

# The VM test tier (deploy/vm) fetches QEMU, a kernel and busybox from Debian into a private folder
# with apt-get download and dpkg-deb, which every Debian system has; what it builds (QEMU 10.0.2
# with a patch, for the dedicated vhost-user-gpu device) needs the build tools at the end.
packages=(
  weston            # the headless compositor the end-to-end tests run against
  wayland-utils     # wayland-info, the reference listing of a compositor's globals
  xvfb              # an X server without a display, for weston's x11 backend: the seat and keymap tests
  xauth             # what Xvfb runs with (xvfb-run and X authority files)
  libwayland-dev    # /usr/share/wayland/wayland.xml, read by the code generator at build time
  wayland-protocols # xdg-shell, linux-dmabuf, ... XML, read by the code generator at build time
  systemd           # systemd-analyze and systemd-socket-activate, for the tests of deploy/systemd
  # `dotnet publish` makes native executables (NativeAOT): the SDK's compiler emits an object file
  # that clang links with the runtime's static libraries and glibc.
  clang             # the linker driver NativeAOT runs
  zlib1g-dev        # the system libz, which the link uses where the ILCompiler package ships none
  # The virgl context type (capsets VIRGL, VIRGL2) and its tests: virglrenderer renders with EGL on
  # Mesa's surfaceless platform, which on a machine without a GPU is the llvmpipe software rasterizer.
  libvirglrenderer1 # libvirglrenderer.so.1
  libegl1           # libEGL.so.1, the EGL dispatch library virglrenderer links
  libegl-mesa0      # Mesa's EGL vendor library (surfaceless platform)
  libgl1-mesa-dri   # Mesa's DRI drivers, llvmpipe included
  # The VM tier's guest runs Mesa from the host's root (9p) and probes it with deploy/vm/gl-probe.py.
  libgles2          # libGLESv2.so.2, which the probe draws with
  python3           # runs the probe
  strace            # the VM tier records which module files QEMU looks up (it must stay in its own tree)
  # Real clients the tests run, on the host and in the guest (from the host's root over 9p).
  gir1.2-gtk-4.0    # GTK 4, for tests/clients/gtk4-swatch.py
  python3-gi        # PyGObject, which runs it
  wev               # prints every input event and the keymap: the guest's keyboard test
  wl-clipboard      # wl-copy and wl-paste: copy and paste between guest and host
  xdotool           # types and clicks into weston's x11 backend, as the host's user
  # deploy/vm/prepare.sh --patched-qemu builds QEMU (x86_64, TCG, vhost-user, 9p) from source;
  # meson 1.5 comes from bookworm-backports into its private folder.
  gcc ninja-build pkg-config patch bzip2 xz-utils python3-venv
  libglib2.0-dev libpixman-1-dev libattr1-dev libfdt-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "install-deps: need root to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: system packages present"
fi

if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "install-deps: the .NET 10 SDK is required (dotnet on PATH); Debian 12 does not package it." >&2
  exit 1
fi
