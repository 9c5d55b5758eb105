#!/usr/bin/env bash
# Prepares everything the VM test tier boots, from Debian packages only, without root and without
# touching the system's apt setup:
#   - QEMU 10.0.2 from bookworm-backports (bookworm's 7.2 refuses vhost-user-gpu without KVM) with
#     the shared libraries this system lacks and its firmware;
#   - QEMU 11.1 from trixie-backports, with everything it links against down to trixie's glibc and
#     loader (it needs glibc 2.38): its generic vhost-user-test-device-pci is the one QEMU device
#     that gives the guest a virtio-gpu with blobs, context init and host-visible memory;
#   - Debian 12's 6.1 kernel;
#   - an initramfs: busybox-static, the virtio / virtio-gpu / 9p modules, deploy/vm/guest-init.sh.
# The guest's GL check (deploy/vm/gl-probe.py) needs nothing fetched: it runs from the host's root
# shared over 9p, with the host's python3 and Mesa.
# Everything lands in one work folder, reused on the next run: packages already unpacked are not
# fetched again, so a prepared folder needs no network. The last step writes $WORK/vm.env, the
# paths a caller needs (see README.md); the initramfs is rebuilt every time (it takes a second) so
# that a changed guest-init.sh is always in it.
#
# With --patched-qemu it also builds QEMU 10.0.2 from the source tarball Debian ships, with
# qemu-vhost-user-gpu-blob.patch, whose vhost-user-gpu-pci passes blobs and context init to the
# guest (a guest of it has no host-visible memory): about 7 minutes on 2 cores the first time, with
# the build tools deploy/install-deps.sh installs.
#
# Usage: deploy/vm/prepare.sh [--patched-qemu] [WORK]   (default $CROSSDOMAIN_VM_DIR, else ~/.cache/crossdomain-vm)
# Exit status: 0 ready, 3 a package could not be fetched (network, mirror), 1 anything else.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
patched_qemu=false
if [[ ${1:-} == --patched-qemu ]]; then patched_qemu=true; shift; fi
work=${1:-${CROSSDOMAIN_VM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crossdomain-vm}}
mkdir -p "$work"
work=$(cd "$work" && pwd)

say() { echo "prepare: $*"; }
fail() { echo "prepare: error: $*" >&2; exit 1; }
# A distinct status for "the network or the mirror failed us": callers (the VM tests) skip on it
# and fail on everything else.
fetch_failed() { echo "prepare: cannot fetch: $*" >&2; exit 3; }

# The initramfs is archived with the busybox fetched below: cpio is not installed everywhere.
for tool in apt-get apt-cache dpkg-deb gzip ldd flock; do
  command -v "$tool" >/dev/null || fail "$tool is required (Debian's apt, dpkg, gzip, libc-bin, util-linux)"
done

# Test runs from several worktrees may share the folder: one prepare at a time.
exec 9>"$work/.lock"
flock 9

debs=$work/debs
qemu_root=$work/qemu             # QEMU 10, the libraries it needs that the system lacks, firmware
qemu11_root=$work/qemu11         # QEMU 11.1 and its whole library closure, glibc included
kernel_root=$work/kernel         # the linux-image package, unpacked
mkdir -p "$debs"

# A private apt per Debian release: its own sources, lists and cache. For bookworm the system's
# dpkg status is only read, so that packages already installed here are not fetched again; for
# trixie the status is empty, so that everything QEMU 11.1 links against comes from trixie.
declare -A apt_suites=([bookworm]="bookworm bookworm-backports" [trixie]="trixie trixie-backports")
apt_options_for() {
  local release=$1 apt_dir=$work/apt
  [[ $release == bookworm ]] || apt_dir=$work/apt-$release
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  if [[ ! -f $apt_dir/sources.list ]]; then
    local suite
    for suite in ${apt_suites[$release]}; do echo "deb http://deb.debian.org/debian $suite main"; done >"$apt_dir/sources.list"
  fi
  apt_options=(
    -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
    -o "Dir::Etc::sourceparts=$apt_dir/no-sources.d"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Sandbox::User=$(id -un)"
    -o "Acquire::Languages=none"
  )
  if [[ $release != bookworm ]]; then
    : >"$apt_dir/empty-status"
    apt_options+=(-o "Dir::State::status=$apt_dir/empty-status" -o "Debug::NoLocking=1"
                  -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64")
  fi
  apt_log_dir=$apt_dir
}
private_apt_get() { apt-get -q "${apt_options[@]}" "$@"; }
private_apt_cache() { apt-cache "${apt_options[@]}" "$@"; }

declare -A lists_fresh=()
update_lists() {
  local release=$1
  apt_options_for "$release"
  [[ -n ${lists_fresh[$release]:-} ]] && return
  say "updating private package lists (${apt_suites[$release]}) in $apt_log_dir"
  private_apt_get update >"$apt_log_dir/update.log" 2>&1 || true
  # apt-get update exits 0 when a source could not be reached (it only warns): look for the lists.
  local suite
  for suite in ${apt_suites[$release]}; do
    compgen -G "$apt_log_dir/lists/*_dists_${suite}_main_binary-amd64_Packages*" >/dev/null \
      || fetch_failed "no package list for $suite (no network or no Debian mirror?): $(grep -m 1 -E '^(E|W):' "$apt_log_dir/update.log" || tail -n 1 "$apt_log_dir/update.log")"
  done
  lists_fresh[$release]=1
}

# The packages apt would install to get "$@" from suite $1 (with the installed packages as the
# release's status has them), then the named ones themselves even when the system has them: their
# files are used from the private tree.
packages_to_fetch() {
  local suite=$1; shift
  local plan
  plan=$(private_apt_get -s --no-install-recommends -o "APT::Default-Release=$suite" install "$@" 2>&1) \
    || fail "apt cannot resolve $* from $suite:"$'\n'"$plan"
  { sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) .*/\1=\3/p' <<<"$plan"
    for name in "$@"; do echo "$name=$(private_apt_cache -o "APT::Default-Release=$suite" policy "$name" | sed -n 's/^ *Candidate: //p')"; done
  } | sort -u
}

# apt-get download names a package's file name_version_arch.deb, with the epoch's ':' as "%3a".
deb_file_of() {
  local name=${1%%=*} version=${1#*=}
  compgen -G "$debs/${name}_${version//:/%3a}_*.deb" | head -n 1
}

download() {
  local spec missing=()
  for spec in "$@"; do
    [[ -n $(deb_file_of "$spec") ]] || missing+=("$spec")
  done
  ((${#missing[@]})) || return 0
  say "downloading ${#missing[@]} packages: ${missing[*]}"
  (cd "$debs" && private_apt_get download "${missing[@]}" >/dev/null 2>"$apt_log_dir/download.log") \
    || fetch_failed "$(tail -n 1 "$apt_log_dir/download.log")"
}

unpack_into() {
  local target=$1; shift
  local spec
  mkdir -p "$target"
  for spec in "$@"; do
    dpkg-deb -x "$(deb_file_of "$spec")" "$target"
  done
}

# Fetches and unpacks "$@" (and what they need) from a suite of a release into a tree, unless the
# tree was completed before.
prepare_tree() {
  local tree=$1 release=$2 suite=$3; shift 3
  if [[ -f $tree/.complete ]]; then
    say "$(basename "$tree"): reusing $tree"
    return
  fi
  update_lists "$release"
  local plan specs
  plan=$(packages_to_fetch "$suite" "$@")
  mapfile -t specs <<<"$plan"
  download "${specs[@]}"
  say "$(basename "$tree"): unpacking ${#specs[@]} packages into $tree"
  rm -rf "$tree"
  unpack_into "$tree" "${specs[@]}"
  printf '%s\n' "${specs[@]}" >"$tree/.complete"
}

library_path_of() {
  local tree=$1
  echo "$tree/usr/lib/x86_64-linux-gnu:$tree/lib/x86_64-linux-gnu"
}

# --- QEMU -------------------------------------------------------------------------------------
prepare_tree "$qemu_root" bookworm bookworm-backports qemu-system-x86 qemu-system-data seabios ipxe-qemu
qemu=$qemu_root/usr/bin/qemu-system-x86_64
qemu_library_path=$(library_path_of "$qemu_root")
[[ -x $qemu ]] || fail "$qemu is missing after unpacking qemu-system-x86"
missing_libraries=$(LD_LIBRARY_PATH=$qemu_library_path ldd "$qemu" | grep 'not found' || true)
[[ -z $missing_libraries ]] || fail "QEMU still lacks libraries:"$'\n'"$missing_libraries"
qemu_version=$(LD_LIBRARY_PATH=$qemu_library_path "$qemu" --version | head -n 1)
say "QEMU: $qemu_version"

# QEMU 11.1 runs on trixie's glibc through trixie's own loader; the system's libraries never mix
# with it. Its /proc/self/exe is then the loader, so nothing may be found relative to the binary:
# firmware comes by -L and modules by QEMU_MODULE_DIR, as for QEMU 10.
prepare_tree "$qemu11_root" trixie trixie-backports qemu-system-x86 qemu-system-data seabios ipxe-qemu
qemu11=$qemu11_root/usr/bin/qemu-system-x86_64
qemu11_loader=$qemu11_root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
qemu11_library_path=$(library_path_of "$qemu11_root")
[[ -x $qemu11 && -x $qemu11_loader ]] || fail "$qemu11 or its loader is missing after unpacking trixie's qemu-system-x86"
qemu11_module_dir=$qemu11_root/usr/lib/x86_64-linux-gnu/qemu
run_qemu11() { QEMU_MODULE_DIR=$qemu11_module_dir "$qemu11_loader" --library-path "$qemu11_library_path" "$qemu11" "$@"; }
qemu11_version=$(run_qemu11 --version | head -n 1) || fail "QEMU 11.1 does not start through trixie's loader"
# Not `-device help`: it loads every module the build knows of, and those this tree lacks would be
# looked for in the system's QEMU module folder, whose modules abort a QEMU of another build.
grep -q vhost-user-test-device-pci "$qemu11" \
  || fail "$qemu11_version has no vhost-user-test-device-pci"
say "QEMU (cross-domain tier): $qemu11_version"

# --- QEMU 10.0.2 with qemu-vhost-user-gpu-blob.patch (--patched-qemu) --------------------------
# Upstream's source as Debian ships it (the orig tarball of bookworm-backports' 1:10.0.2+ds-2+
# deb13u1~bpo12+1, pinned by its hash), configured for what the tier boots and nothing else:
# x86_64 under TCG or KVM, vhost-user, 9p, no loadable modules (so no module folder is ever
# searched). Firmware is stock QEMU 10's (QEMU_FIRMWARE_DIRS). The tree records the patch's hash
# and the configure options: a change to either is built again.
patched_root=$work/qemu-patched
patched_source_file=qemu_10.0.2+ds.orig.tar.xz
patched_source_sha256=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1
patch_file=$script_dir/qemu-vhost-user-gpu-blob.patch
patched_configure=(--target-list=x86_64-softmmu --without-default-features --enable-kvm --enable-vhost-user
                   --enable-virtfs --enable-attr --enable-pixman --disable-docs --disable-install-blobs)
patched_stamp="$patched_source_file $patched_source_sha256 $(sha256sum "$patch_file" | cut -d ' ' -f 1) ${patched_configure[*]}"
patched_tree_current() { [[ -f $patched_root/.complete && $(cat "$patched_root/.complete") == "$patched_stamp" ]]; }
build_patched_qemu() {
  local tool missing=()
  for tool in cc ninja pkg-config patch bzip2 xz; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  pkg-config --exists glib-2.0 pixman-1 libattr 2>/dev/null || missing+=("the glib, pixman and libattr headers")
  [[ -f /usr/include/libfdt.h ]] || missing+=("libfdt.h")
  ((${#missing[@]} == 0)) || fail "building QEMU needs ${missing[*]}: run deploy/install-deps.sh"

  # QEMU 10 needs meson 1.5 and pycotap, which bookworm-backports has; they run from their tree.
  prepare_tree "$work/qemu-build-tools" bookworm bookworm-backports meson python3-pycotap
  local python_path=$work/qemu-build-tools/usr/lib/python3/dist-packages

  local source_archive=$debs/$patched_source_file
  if [[ ! -f $source_archive ]]; then
    say "downloading $patched_source_file"
    /usr/lib/apt/apt-helper download-file "http://deb.debian.org/debian/pool/main/q/qemu/$patched_source_file" \
      "$source_archive.partial" "SHA256:$patched_source_sha256" >"$work/qemu-source-download.log" 2>&1 \
      || fetch_failed "$patched_source_file: $(tail -n 1 "$work/qemu-source-download.log")"
    mv "$source_archive.partial" "$source_archive"
  fi

  rm -rf "$patched_root"
  mkdir -p "$patched_root/build"
  say "qemu-patched: unpacking $patched_source_file and applying $(basename "$patch_file")"
  tar -xJf "$source_archive" -C "$patched_root"
  local source=$patched_root/qemu-10.0.2
  patch -d "$source" -p1 --quiet <"$patch_file" || fail "$(basename "$patch_file") does not apply to $patched_source_file"
  # Debian's tarball has none of upstream's prebuilt firmware, but configure still names the
  # compressed EDK2 images for an x86 target; empty ones stand in (the tier boots SeaBIOS).
  local image
  for image in $(sed -n "/^if unpack_edk2_blobs/,/^  \]/s/.*'\(edk2-[^']*\)'.*/\1/p" "$source/pc-bios/meson.build"); do
    [[ -f $source/pc-bios/$image.bz2 ]] || bzip2 -c </dev/null >"$source/pc-bios/$image.bz2"
  done
  say "qemu-patched: building (about 7 minutes on 2 cores; log: $patched_root/build/build.log)"
  (cd "$patched_root/build" && export PYTHONPATH=$python_path &&
    "$source/configure" --python=/usr/bin/python3 "${patched_configure[@]}" &&
    nice -n 10 ninja qemu-system-x86_64) >"$patched_root/build/build.log" 2>&1 \
    || fail "building the patched QEMU failed: $(grep -m 1 -E 'ERROR|error:' "$patched_root/build/build.log" || tail -n 3 "$patched_root/build/build.log")"
  echo "$patched_stamp" >"$patched_root/.complete"
}
if $patched_qemu; then
  if patched_tree_current; then
    say "qemu-patched: reusing $patched_root"
  else
    build_patched_qemu
  fi
fi
patched_qemu_binary=$patched_root/build/qemu-system-x86_64
if patched_tree_current; then
  say "QEMU (dedicated device, patched): $("$patched_qemu_binary" --version | head -n 1)"
else
  patched_qemu_binary=""
fi

# --- kernel -----------------------------------------------------------------------------------
if [[ ! -f $kernel_root/.complete ]]; then
  update_lists bookworm
  # linux-image-amd64 from bookworm itself (backports has 6.12) names the current 6.1 ABI.
  kernel_package=$(private_apt_cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n 1)
  [[ -n $kernel_package ]] || fail "cannot find the 6.1 kernel package that linux-image-amd64 (bookworm) depends on"
  kernel_spec="$kernel_package=$(private_apt_cache policy "$kernel_package" | sed -n 's/^ *Candidate: //p')"
  download "$kernel_spec"
  say "kernel: unpacking $kernel_spec into $kernel_root"
  rm -rf "$kernel_root"
  unpack_into "$kernel_root" "$kernel_spec"
  echo "$kernel_spec" >"$kernel_root/.complete"
else
  say "kernel: reusing $kernel_root"
fi
kernel_image=$(compgen -G "$kernel_root/boot/vmlinuz-*" | head -n 1)
kernel_release=${kernel_image##*/vmlinuz-}
modules_dir=$kernel_root/lib/modules/$kernel_release
[[ -d $modules_dir/kernel ]] || fail "$modules_dir/kernel is missing"
say "kernel: $kernel_release"

# --- busybox ----------------------------------------------------------------------------------
busybox_root=$work/busybox
prepare_tree "$busybox_root" bookworm bookworm busybox-static

# --- initramfs --------------------------------------------------------------------------------
# Modules in load order, each after the modules it depends on. The package ships no modules.dep
# (depmod runs at install time, and this system need not have kmod), so the dependencies are read
# from each module's own .modinfo section ("depends=a,b").
declare -A module_path_by_name=() module_visited=()
while IFS= read -r -d '' path; do
  name=${path##*/}; name=${name%.ko}
  module_path_by_name[${name//-/_}]=$path
done < <(find "$modules_dir/kernel" -name '*.ko' -print0)
((${#module_path_by_name[@]})) || fail "no modules (*.ko) under $modules_dir/kernel"

load_order=()
visit_module() {
  local name=$1 dependency
  [[ -n ${module_visited[$name]:-} ]] && return
  module_visited[$name]=1
  for dependency in $(tr '\0' '\n' <"${module_path_by_name[$name]}" | sed -n 's/^depends=//p' | tr ',' ' '); do
    visit_module "${dependency//-/_}"
  done
  load_order+=("${module_path_by_name[$name]}")
}
wanted_modules=(virtio_pci virtio_gpu 9p 9pnet_virtio)
for module in "${wanted_modules[@]}"; do
  if [[ -n ${module_path_by_name[$module]:-} ]]; then
    visit_module "$module"
  elif ! grep -q "/${module//_/[-_]}\.ko\$" "$modules_dir/modules.builtin"; then
    fail "module $module is neither in $modules_dir nor built in"
  fi
done

staging=$(mktemp -d "$work/initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"/{bin,dev,proc,sys,tmp,hostroot,modules}
cp "$busybox_root/bin/busybox" "$staging/bin/busybox"
for module_path in "${load_order[@]}"; do
  cp "$module_path" "$staging/modules/"
  echo "${module_path##*/}" >>"$staging/modules/load-order"
done
cp "$script_dir/guest-init.sh" "$staging/init"
chmod 0755 "$staging/init" "$staging/bin/busybox"
initramfs=$work/initramfs.cpio.gz
(cd "$staging" && find . | "$busybox_root/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$initramfs.new"
mv "$initramfs.new" "$initramfs"
say "initramfs: $initramfs (${#load_order[@]} modules: $(printf '%s ' "${load_order[@]##*/}"))"

# --- what callers need ------------------------------------------------------------------------
# QEMU_MODULE_DIR is the variable QEMU itself reads: vhost-user-gpu-pci lives in a loadable module.
# Debian builds QEMU to look for firmware in three folders (its --firmwarepath): each goes to QEMU
# as one -L.
cat >"$work/vm.env.new" <<EOF
QEMU=$qemu
QEMU_LD_LIBRARY_PATH=$qemu_library_path
QEMU_MODULE_DIR=$qemu_root/usr/lib/x86_64-linux-gnu/qemu
QEMU_FIRMWARE_DIRS=$qemu_root/usr/share/qemu:$qemu_root/usr/share/seabios:$qemu_root/usr/lib/ipxe/qemu
QEMU11=$qemu11
QEMU11_LOADER=$qemu11_loader
QEMU11_LIBRARY_PATH=$qemu11_library_path
QEMU11_MODULE_DIR=$qemu11_module_dir
QEMU11_FIRMWARE_DIRS=$qemu11_root/usr/share/qemu:$qemu11_root/usr/share/seabios:$qemu11_root/usr/lib/ipxe/qemu
KERNEL=$kernel_image
INITRAMFS=$initramfs
GL_PROBE=$script_dir/gl-probe.py
QEMU_PATCHED=$patched_qemu_binary
EOF
mv "$work/vm.env.new" "$work/vm.env"
say "ready: $work/vm.env"
