using System.Buffers.Binary;
using CrossDomain.Host.Queues;
using CrossDomain.Host.VhostUser;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.Virtqueue;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.Device;

/// <summary>
/// The queues in front of a real device, with our driver side filling the control ring and the
/// test thread playing the session's loop thread: what a guest can make of the host's loop.
/// </summary>
public sealed class VhostUserGpuDeviceTests : IDisposable
{
    private readonly DeviceHarness _harness = new();
    private readonly GuestRam _ram = new(4 << 20);
    private readonly VhostUserGpuDevice _queues;
    private readonly ulong _request;
    private readonly ulong _response;
    private readonly byte[] _getDisplayInfo = GpuRequests.GetDisplayInfo();
    private bool _ramStillInUse;

    public VhostUserGpuDeviceTests()
    {
        _queues = new VhostUserGpuDevice(_harness.Device, 1 << 16, _harness.Logger, _harness.Loop);
        _queues.MemoryChanged(_ram);
        _request = _ram.Allocate(4096);
        _response = _ram.Allocate(4096);
        _getDisplayInfo.CopyTo(_ram.GetSpan(_request, _getDisplayInfo.Length));
    }

    public void Dispose()
    {
        // The harness disposes the device the queues wrap.
        _harness.Dispose();
        if (!_ramStillInUse) _ram.Dispose();
    }

    [Fact]
    public void A_runaway_avail_index_stops_the_ring_with_one_warning_until_it_is_set_up_again()
    {
        using var driver = new SplitVirtqueueDriver(_ram, 16, eventIndex: false, useIndirect: false);
        var vring = Vring(VhostUserGpuDevice.ControlQueue, driver);
        _queues.QueueStarted(vring);
        var avail = _ram.GetSpan(driver.Addresses.AvailRing, VringLayout.AvailRingBytes(driver.Size));
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], (ushort)(driver.Size + 1));

        // Today's failure is a loop that never returns: kick from a thread the test can give up on.
        var kicks = new Thread(() =>
        {
            for (int kick = 0; kick < 5; kick++) _queues.QueueKicked(vring);
        }) { IsBackground = true };
        kicks.Start();
        bool returned = kicks.Join(TimeSpan.FromSeconds(30));
        // A thread still spinning on the ring would crash the test host if its memory went away.
        _ramStillInUse = !returned;
        Assert.True(returned, "the kicks on a broken ring never returned");
        var warning = Assert.Single(Warnings());
        Assert.Contains(nameof(RingError.AvailIndexTooFarAhead), warning);

        // The front-end sets the ring up again (GET_VRING_BASE, then a fresh ring): served again.
        Assert.Equal(0, _queues.QueueStopped(vring));
        using var fresh = new SplitVirtqueueDriver(_ram, 16, eventIndex: false, useIndirect: false);
        var restarted = Vring(VhostUserGpuDevice.ControlQueue, fresh);
        _queues.QueueStarted(restarted);
        Add(fresh, token: 1);
        _queues.QueueKicked(restarted);
        Assert.Equal([1], TakeAll(fresh));
        Assert.Equal(CommandType.OkDisplayInfo, (CommandType)BinaryPrimitives.ReadUInt32LittleEndian(_ram.GetSpan(_response, 4)));
        Assert.Single(Warnings());
    }

    [Fact]
    public void A_ring_fuller_than_the_budget_is_served_over_turns_of_the_loop_and_every_chain_once()
    {
        const int chains = VhostUserGpuDevice.ChainsPerTurn + 44;
        using var driver = new SplitVirtqueueDriver(_ram, 1024, eventIndex: false, useIndirect: false);
        var vring = Vring(VhostUserGpuDevice.ControlQueue, driver);
        _queues.QueueStarted(vring);
        for (int i = 0; i < chains; i++) Add(driver, i);

        _queues.QueueKicked(vring);
        var answered = TakeAll(driver);
        Assert.Equal(VhostUserGpuDevice.ChainsPerTurn, answered.Count);
        // The rest is the posted turn's: a kick meanwhile takes nothing more.
        _queues.QueueKicked(vring);
        Assert.Empty(TakeAll(driver));

        _harness.RunLoopOnce();
        answered.AddRange(TakeAll(driver));
        Assert.Equal(Enumerable.Range(0, chains), answered.Order());
        // Nothing is left posted to answer anything twice.
        _harness.RunLoopOnce();
        Assert.Empty(TakeAll(driver));
    }

    [Theory]
    [InlineData("stopped")]
    [InlineData("reset")]
    public void A_turn_posted_for_a_ring_that_went_away_since_does_nothing(string what)
    {
        using var driver = new SplitVirtqueueDriver(_ram, 1024, eventIndex: false, useIndirect: false);
        var vring = Vring(VhostUserGpuDevice.ControlQueue, driver);
        _queues.QueueStarted(vring);
        for (int i = 0; i < VhostUserGpuDevice.ChainsPerTurn + 10; i++) Add(driver, i);
        _queues.QueueKicked(vring);
        Assert.Equal(VhostUserGpuDevice.ChainsPerTurn, TakeAll(driver).Count);

        if (what == "stopped") Assert.Equal(VhostUserGpuDevice.ChainsPerTurn, _queues.QueueStopped(vring));
        else _queues.Reset();
        var used = _ram.GetSpan(driver.Addresses.UsedRing, VringLayout.UsedRingBytes(driver.Size));
        ushort usedIndex = BinaryPrimitives.ReadUInt16LittleEndian(used[2..]);
        _harness.RunLoopOnce();
        Assert.Equal(usedIndex, BinaryPrimitives.ReadUInt16LittleEndian(used[2..]));
        Assert.Empty(TakeAll(driver));
    }

    private static VhostUserVring Vring(int index, SplitVirtqueueDriver driver) => new(index)
    {
        Size = driver.Size,
        Areas = new VringAreas(
            new VringArea(0, driver.Addresses.DescriptorTable, VringLayout.DescriptorTableBytes(driver.Size)),
            new VringArea(0, driver.Addresses.AvailRing, VringLayout.AvailRingBytes(driver.Size)),
            new VringArea(0, driver.Addresses.UsedRing, VringLayout.UsedRingBytes(driver.Size))),
        IsStarted = true,
        IsEnabled = true,
    };

    private void Add(SplitVirtqueueDriver driver, int token) =>
        Assert.True(driver.TryAdd([new(_request, (uint)_getDisplayInfo.Length, false), new(_response, 4096, true)], token));

    private static List<int> TakeAll(SplitVirtqueueDriver driver)
    {
        var tokens = new List<int>();
        while (driver.TryTakeUsed(out var token, out uint written))
        {
            Assert.True(written > 0);
            tokens.Add((int)token!);
        }
        return tokens;
    }

    private List<string> Warnings()
    {
        lock (_harness.Logger.Entries)
            return _harness.Logger.Entries.Where(entry => entry.Level == LogLevel.Warning).Select(entry => entry.Message).ToList();
    }
}
