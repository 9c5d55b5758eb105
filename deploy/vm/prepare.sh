#!/usr/bin/env bash
# Prepares everything the VM test tier boots, from Debian packages only, without root and without
# touching the system's apt setup:
#   - QEMU 10.0.2 from bookworm-backports (bookworm's 7.2 refuses vhost-user-gpu without KVM) with
#     the shared libraries this system lacks and its firmware;
#   - Debian 12's 6.1 kernel;
#   - an initramfs: busybox-static, the virtio / virtio-gpu / 9p modules, deploy/vm/guest-init.sh.
# The guest's GL check (deploy/vm/gl-probe.py) needs nothing fetched: it runs from the host's root
# shared over 9p, with the host's python3 and Mesa.
# Everything lands in one work folder, reused on the next run: packages already unpacked are not
# fetched again, so a prepared folder needs no network. The last step writes $WORK/vm.env, the
# paths a caller needs (see README.md); the initramfs is rebuilt every time (it takes a second) so
# that a changed guest-init.sh is always in it.
#
# Usage: deploy/vm/prepare.sh [WORK]   (default $CROSSDOMAIN_VM_DIR, else ~/.cache/crossdomain-vm)
# Exit status: 0 ready, 3 a package could not be fetched (network, mirror), 1 anything else.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
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

apt_dir=$work/apt
debs=$work/debs
qemu_root=$work/qemu             # QEMU, the libraries it needs that the system lacks, firmware
kernel_root=$work/kernel         # the linux-image package, unpacked
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$debs"

cat >"$apt_dir/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-backports main
EOF

# A private apt: its own sources, lists and cache; the system's dpkg status is only read, so that
# packages already installed here are not fetched again.
apt_options=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=$apt_dir/no-sources.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Sandbox::User=$(id -un)"
  -o "Acquire::Languages=none"
)
private_apt_get() { apt-get -q "${apt_options[@]}" "$@"; }
private_apt_cache() { apt-cache "${apt_options[@]}" "$@"; }

lists_fresh=false
update_lists() {
  $lists_fresh && return
  say "updating private package lists (bookworm, bookworm-backports) in $apt_dir"
  private_apt_get update >"$apt_dir/update.log" 2>&1 || true
  # apt-get update exits 0 when a source could not be reached (it only warns): look for the lists.
  local suite
  for suite in bookworm bookworm-backports; do
    compgen -G "$apt_dir/lists/*_dists_${suite}_main_binary-amd64_Packages*" >/dev/null \
      || fetch_failed "no package list for $suite (no network or no Debian mirror?): $(grep -m 1 -E '^(E|W):' "$apt_dir/update.log" || tail -n 1 "$apt_dir/update.log")"
  done
  lists_fresh=true
}

# The packages apt would install to get "$@" (with the system's installed packages as they are),
# then the named ones themselves even when the system has them: their files are used from the
# private tree.
packages_to_fetch() {
  local release=$1; shift
  local plan
  plan=$(private_apt_get -s --no-install-recommends -o "APT::Default-Release=$release" install "$@" 2>&1) \
    || fail "apt cannot resolve $* from $release:"$'\n'"$plan"
  { sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) .*/\1=\3/p' <<<"$plan"
    for name in "$@"; do echo "$name=$(private_apt_cache -o "APT::Default-Release=$release" policy "$name" | sed -n 's/^ *Candidate: //p')"; done
  } | sort -u
}

# apt-get download names a package's file name_version_arch.deb, with the epoch's ':' as "%3a".
deb_file_of() {
  local name=${1%%=*} version=${1#*=}
  compgen -G "$debs/${name}_${version//:/%3a}_*.deb" | head -n 1
}

download() {
  local spec
  (cd "$debs"
   for spec in "$@"; do
     [[ -n $(deb_file_of "$spec") ]] && continue
     say "downloading $spec"
     private_apt_get download "$spec" >/dev/null 2>"$apt_dir/download.log" \
       || fetch_failed "$spec: $(tail -n 1 "$apt_dir/download.log")"
   done)
}

unpack_into() {
  local target=$1; shift
  local spec
  mkdir -p "$target"
  for spec in "$@"; do
    dpkg-deb -x "$(deb_file_of "$spec")" "$target"
  done
}

# Fetches and unpacks "$@" (and what they need) into a tree, unless the tree was completed before.
prepare_tree() {
  local tree=$1 release=$2; shift 2
  if [[ -f $tree/.complete ]]; then
    say "$(basename "$tree"): reusing $tree"
    return
  fi
  update_lists
  local plan specs
  plan=$(packages_to_fetch "$release" "$@")
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
prepare_tree "$qemu_root" bookworm-backports qemu-system-x86 qemu-system-data seabios ipxe-qemu
qemu=$qemu_root/usr/bin/qemu-system-x86_64
qemu_library_path=$(library_path_of "$qemu_root")
[[ -x $qemu ]] || fail "$qemu is missing after unpacking qemu-system-x86"
missing_libraries=$(LD_LIBRARY_PATH=$qemu_library_path ldd "$qemu" | grep 'not found' || true)
[[ -z $missing_libraries ]] || fail "QEMU still lacks libraries:"$'\n'"$missing_libraries"
qemu_version=$(LD_LIBRARY_PATH=$qemu_library_path "$qemu" --version | head -n 1)
say "QEMU: $qemu_version"

# --- kernel -----------------------------------------------------------------------------------
if [[ ! -f $kernel_root/.complete ]]; then
  update_lists
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
prepare_tree "$busybox_root" bookworm busybox-static

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
KERNEL=$kernel_image
INITRAMFS=$initramfs
GL_PROBE=$script_dir/gl-probe.py
EOF
mv "$work/vm.env.new" "$work/vm.env"
say "ready: $work/vm.env"
