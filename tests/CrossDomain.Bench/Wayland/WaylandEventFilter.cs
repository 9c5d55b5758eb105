using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Bench.Wayland;

/// <summary>Looks at one event as it is read; returns true when it is the one being waited for.</summary>
internal delegate bool WaylandEventFilter(uint objectId, WaylandInterface @interface, ushort opcode, ReadOnlySpan<byte> body);
