using System.ComponentModel;
using CrossDomain.Interop;

namespace CrossDomain.Tests.Interop;

public sealed class SharedMemoryTests
{
    [Fact]
    public void Two_mappings_of_one_memfd_see_the_same_bytes()
    {
        using var memfd = MemFd.Create("shared", 4096);
        using var writer = MemoryMapping.Map(memfd, 4096);
        using var reader = MemoryMapping.Map(memfd, 4096, writable: false);
        writer.GetSpan(100, 4).Fill(0xAB);
        Assert.Equal(new byte[] { 0xAB, 0xAB, 0xAB, 0xAB }, reader.GetSpan(100, 4).ToArray());
    }

    [Fact]
    public void Growing_keeps_the_contents_and_zero_fills()
    {
        using var memfd = MemFd.Create("grow", 4096);
        using (var mapping = MemoryMapping.Map(memfd, 4096)) mapping.Span[4095] = 7;
        MemFd.Resize(memfd, 8192);
        Assert.Equal(8192, MemFd.GetSize(memfd));
        using var grown = MemoryMapping.Map(memfd, 8192);
        Assert.Equal(7, grown.Span[4095]);
        Assert.Equal(0, grown.Span[8191]);
    }

    [Fact]
    public void Seals_forbid_what_they_name()
    {
        using var memfd = MemFd.Create("sealed", 4096);
        MemFd.AddSeals(memfd, MemFdSeals.Grow | MemFdSeals.Shrink | MemFdSeals.Write | MemFdSeals.Seal);
        Assert.Equal(MemFdSeals.Grow | MemFdSeals.Shrink | MemFdSeals.Write | MemFdSeals.Seal, MemFd.GetSeals(memfd));
        Assert.Throws<Win32Exception>(() => MemFd.Resize(memfd, 8192));
        Assert.Throws<Win32Exception>(() => MemoryMapping.Map(memfd, 4096, writable: true));
        using var readOnly = MemoryMapping.Map(memfd, 4096, writable: false);
        Assert.False(readOnly.IsWritable);
    }

    [Fact]
    public void A_mapping_outlives_its_fd_and_checks_bounds()
    {
        var memfd = MemFd.Create("outlive", 4096);
        using var mapping = MemoryMapping.Map(memfd, 4096);
        memfd.Dispose();
        mapping.Span[0] = 1;
        Assert.Throws<ArgumentOutOfRangeException>(() => mapping.GetSpan(4090, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => mapping.GetSpan(-1, 1));
    }

    [Fact]
    public void Disposing_a_mapping_twice_is_harmless()
    {
        using var memfd = MemFd.Create("twice", 4096);
        var mapping = MemoryMapping.Map(memfd, 4096);
        mapping.Dispose();
        mapping.Dispose();
        Assert.True(mapping.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => mapping.Address);
    }
}
