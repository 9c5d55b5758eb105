using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary><c>struct iovec</c>: one piece of guest memory as this process sees it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IoVector
{
    public nint Base;
    public nuint Length;
}
