using System.Runtime.CompilerServices;

namespace CrossDomain.VirtioGpu;

// C arrays embedded in wire structs. Inline arrays keep the structs unmanaged and blittable
// (so they can be read straight out of guest memory) while giving callers spans instead of
// the unsafe indexing that fixed buffers would need.

[InlineArray(3)]
public struct FixedArray3<T> where T : unmanaged
{
    private T _element0;
}

[InlineArray(4)]
public struct FixedArray4<T> where T : unmanaged
{
    private T _element0;
}

[InlineArray(16)]
public struct FixedArray16<T> where T : unmanaged
{
    private T _element0;
}

[InlineArray(64)]
public struct FixedArray64<T> where T : unmanaged
{
    private T _element0;
}

[InlineArray(1024)]
public struct FixedArray1024<T> where T : unmanaged
{
    private T _element0;
}
