# Login shells in the guest: point Wayland apps at the proxy's socket (crossdomain-proxy.socket)
# when nothing else chose a compositor. The user manager's services get the same setting from
# environment.d/50-crossdomain.conf; shells do not read environment.d.
if [ -z "${WAYLAND_DISPLAY:-}" ] && [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -S "$XDG_RUNTIME_DIR/wayland-0" ]; then
  export WAYLAND_DISPLAY=wayland-0
fi
