using CrossDomain.Fuzz.Targets;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.Proxy;

/// <summary>
/// How the proxy reaches host memory, chosen from what the device and the host offer: mapped
/// through host-visible memory, copied by transfers into guest pages (our extension), or not at
/// all, which a client learns from a clear error rather than a hang. The copies themselves are
/// tested against the real host: Bridge/ShmDamageCopyTests, BridgedGtk4Tests and BridgedKeymapTests.
/// </summary>
public sealed class HostMemoryAccessTests
{
    [Theory]
    [InlineData(true, CrossDomainExtensions.None, HostMemoryAccess.Mapped)]
    [InlineData(true, CrossDomainExtensions.GuestMemoryTransfers, HostMemoryAccess.Mapped)]
    [InlineData(false, CrossDomainExtensions.GuestMemoryTransfers, HostMemoryAccess.CopiedByTransfers)]
    [InlineData(false, CrossDomainExtensions.None, HostMemoryAccess.None)]
    public void Host_visible_memory_is_used_where_there_is_some_and_transfers_where_the_host_offers_them(
        bool hostVisibleMemory, CrossDomainExtensions extensions, HostMemoryAccess expected)
    {
        using var channel = CrossDomainChannel.Open(new FakeHostDriver { HostVisibleMemory = hostVisibleMemory, Extensions = extensions });
        Assert.Equal(expected, channel.HostMemory);
    }

    [Fact]
    public void Without_either_a_buffer_is_refused_saying_why()
    {
        using var channel = CrossDomainChannel.Open(new FakeHostDriver { HostVisibleMemory = false });
        var refusal = Assert.Throws<CrossDomainChannelException>(() => channel.CreateMappedBlob(2, 4096));
        Assert.Contains("no host-visible memory", refusal.Message);
        Assert.Contains("no guest-memory transfers", refusal.Message);
    }
}
