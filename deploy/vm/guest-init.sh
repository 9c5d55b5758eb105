#!/bin/busybox sh
# /init of the VM test tier's initramfs (built by prepare.sh): loads the virtio-gpu and 9p modules,
# looks at what the guest's virtio_gpu driver got from the device, and reports on the serial
# console in lines "crossdomain-vm: KEY VALUE..." that the test parses; then powers off.
# Kernel command line options it reads (all optional; paths are the host's, used inside the host's
# root shared over 9p):
#   crossdomain.glprobe=PATH  gl-probe.py, run when the device offers the VIRGL capset
#   crossdomain.apps=SCRIPT,PROXY,APP[,APP...]  guest-apps.sh, run when the device offers the
#                             cross-domain capset: crossdomain-proxy, then the apps through it
# busybox's sh has no pipefail; each check reports its own outcome instead.
set -u

/bin/busybox --install -s /bin
export PATH=/bin HOME=/tmp

report() { echo "crossdomain-vm: $*"; }

option() {
  local word
  for word in $(cat /proc/cmdline); do
    case $word in "crossdomain.$1="*) echo "${word#*=}"; return;; esac
  done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
report kernel "$(uname -r)"

for module in $(cat /modules/load-order); do
  insmod "/modules/$module" || report module-failed "$module"
done

# The driver probes asynchronously after insmod returns; its nodes appear when probing is done.
waited=0
while [ ! -e /dev/dri/renderD128 ] && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
report render-node "$(ls /dev/dri/renderD* 2>/dev/null | tr '\n' ' ')"
report card "$(ls /dev/dri/card* 2>/dev/null | tr '\n' ' ')"

# virtgpu_kms.c (6.1) prints, through DRM_INFO: "[drm] features: +virgl +edid ..." (two lines),
# "[drm] number of cap sets: N", then "[drm] cap set I: id ID, max-version V, max-size S" for each.
report features "$(dmesg | sed -n 's/.*\[drm\] features: //p' | tr '\n' ' ')"
report capset-count "$(dmesg | sed -n 's/.*\[drm\] number of cap sets: //p' | head -n 1)"
capset_ids=$(dmesg | sed -n 's/.*\[drm\] cap set [0-9]*: id \([0-9]*\),.*/\1/p' | tr '\n' ' ')
report capset-ids "$capset_ids"
# The driver's own view of the negotiated features, a second witness to the kernel's log.
debugfs_features=/sys/kernel/debug/dri/0/virtio-gpu-features
[ -r $debugfs_features ] && report debugfs-features "$(tr -s ' \n' ' ' <$debugfs_features)"

# fbcon draws on virtio-gpu's DRM framebuffer: text on the console becomes 2D traffic for the
# device (TRANSFER_TO_HOST_2D and RESOURCE_FLUSH).
report framebuffer "$(cat /sys/class/graphics/fb0/name 2>/dev/null)"
for line in 1 2 3 4 5 6 7 8; do echo "crossdomain-vm console line $line" >/dev/tty0; done
sleep 1

# The host's root, read-only over 9p: the guest runs the host's own Mesa (its virgl driver).
hostroot=/hostroot
if mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot $hostroot 2>/dev/null; then
  report hostroot mounted
  mount -t proc proc $hostroot/proc
  mount -t sysfs sysfs $hostroot/sys
  mount -t devtmpfs devtmpfs $hostroot/dev
  # What udev and systemd would add: POSIX shared memory (clients' shm_open, wev's buffers) and
  # /dev/fd (bash's process substitution).
  mkdir -p $hostroot/dev/shm
  mount -t tmpfs -o mode=1777 tmpfs $hostroot/dev/shm
  [ -e $hostroot/dev/fd ] || ln -s /proc/self/fd $hostroot/dev/fd
  # No tmpfs over the host's /tmp: the probe may be in it. Nothing run here
  # writes (HOME and the shader cache are pointed away from the read-only root).
  # Proves the host's programs run here at all, whatever the device offers.
  chroot $hostroot /bin/sh -c 'test -c /dev/dri/renderD128' && report hostroot-render-node yes

  gl_probe=$(option glprobe)
  case " $capset_ids " in
    *" 1 "*)
      if [ -n "$gl_probe" ]; then
        # Mesa's own diagnostics (EGL_LOG_LEVEL) go to the serial log with the probe's output, so
        # that a failure shows why without another boot.
        chroot $hostroot /usr/bin/env -i PATH=/usr/bin:/bin HOME=/nonexistent MESA_SHADER_CACHE_DISABLE=true \
          EGL_LOG_LEVEL=warning /usr/bin/python3 "$gl_probe" >/tmp/gl-probe.out 2>&1
        report gl-probe-exit $?
        sed 's/^/gl-probe| /' /tmp/gl-probe.out
        for key in driver renderer version pixels pixels-match error; do
          value=$(sed -n "s/^$key //p" /tmp/gl-probe.out | head -n 1)
          [ -n "$value" ] && report "gl-$key" "$value"
        done
      else
        report gl-probe-skipped "no crossdomain.glprobe= on the kernel command line"
      fi;;
    *) report gl-probe-skipped "the device offers no VIRGL capset (ids: $capset_ids)";;
  esac

  apps=$(option apps)
  case " $capset_ids " in
    *" 5 "*)
      if [ -n "$apps" ]; then
        # The host's root is read-only: the guest's sockets, logs and HOME go to its own /run.
        mount -t tmpfs tmpfs $hostroot/run
        script=${apps%%,*}; apps=${apps#*,}
        proxy=${apps%%,*}; apps=${apps#*,}
        chroot $hostroot /usr/bin/env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin /bin/bash "$script" "$proxy" "$apps"
        report apps-exit $?
        umount $hostroot/run
      fi;;
    *) [ -n "$apps" ] && report apps-skipped "the device offers no cross-domain capset (ids: $capset_ids)";;
  esac
  umount $hostroot/dev/shm $hostroot/dev $hostroot/sys $hostroot/proc
  umount $hostroot
else
  report hostroot "not mounted"
fi

report done "$(cut -d " " -f 1 /proc/uptime)"
poweroff -f
