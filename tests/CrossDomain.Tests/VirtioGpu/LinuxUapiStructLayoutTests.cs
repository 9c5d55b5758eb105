using System.Reflection;
using CrossDomain.VirtioGpu.Linux;

namespace CrossDomain.Tests.VirtioGpu;

/// <summary>The guest uAPI structs and ioctl numbers against PROTOCOL.md C.2–C.4 (x86_64 values).</summary>
public sealed class LinuxUapiStructLayoutTests : StructLayoutTests<LinuxUapiStructLayoutTests>, IStructLayoutTable
{
    public static IReadOnlyList<ExpectedLayout> Layouts { get; } =
    [
        new(typeof(DrmVersion), 64,
            ("Major", 0), ("Minor", 4), ("PatchLevel", 8), ("NameLength", 16), ("Name", 24), ("DateLength", 32),
            ("Date", 40), ("DescriptionLength", 48), ("Description", 56)),
        new(typeof(DrmGemClose), 8, ("Handle", 0), ("Padding", 4)),
        new(typeof(DrmPrimeHandle), 12, ("Handle", 0), ("Flags", 4), ("Fd", 8)),
        new(typeof(DrmEvent), 8, ("Type", 0), ("Length", 4)),

        new(typeof(DrmVirtgpuGetParam), 16, ("Param", 0), ("Value", 8)),
        new(typeof(DrmVirtgpuGetCaps), 24,
            ("CapsetId", 0), ("CapsetVersion", 4), ("Address", 8), ("Size", 16), ("Padding", 20)),
        new(typeof(DrmVirtgpuContextInit), 16, ("ParamCount", 0), ("Padding", 4), ("SetParams", 8)),
        new(typeof(DrmVirtgpuContextSetParam), 16, ("Param", 0), ("Value", 8)),
        new(typeof(DrmVirtgpuResourceCreateBlob), 48,
            ("BlobMemory", 0), ("BlobFlags", 4), ("BoHandle", 8), ("ResourceHandle", 12), ("Size", 16),
            ("Padding", 24), ("CommandSize", 28), ("Command", 32), ("BlobId", 40)),
        new(typeof(DrmVirtgpuMap), 16, ("Offset", 0), ("Handle", 8), ("Padding", 12)),
        new(typeof(DrmVirtgpuExecbuffer), 64,
            ("Flags", 0), ("Size", 4), ("Command", 8), ("BoHandles", 16), ("BoHandleCount", 24), ("FenceFd", 28),
            ("RingIndex", 32), ("SyncobjStride", 36), ("InSyncobjCount", 40), ("OutSyncobjCount", 44),
            ("InSyncobjs", 48), ("OutSyncobjs", 56)),
        new(typeof(DrmVirtgpuExecbufferSyncobj), 16, ("Handle", 0), ("Flags", 4), ("Point", 8)),
        new(typeof(DrmVirtgpu3DWait), 8, ("Handle", 0), ("Flags", 4)),
        new(typeof(DrmVirtgpuResourceInfo), 16, ("BoHandle", 0), ("ResourceHandle", 4), ("Size", 8), ("BlobMemory", 12)),

        // Description: Resource3DDescription, whose ten words VirtioGpuStructLayoutTests checks.
        new(typeof(DrmVirtgpuResourceCreate), 56,
            ("Description", 0), ("BoHandle", 40), ("ResourceHandle", 44), ("Size", 48), ("Stride", 52)),
        new(typeof(DrmVirtgpu3DTransfer), 44,
            ("BoHandle", 0), ("Box", 4), ("Level", 28), ("Offset", 32), ("Stride", 36), ("LayerStride", 40)),
    ];

    /// <summary>PROTOCOL.md C.2, value column.</summary>
    private static readonly (string Name, uint Value)[] IoctlTable =
    [
        (nameof(DrmIoctl.Version), 0xC0406400),
        (nameof(DrmIoctl.GemClose), 0x40086409),
        (nameof(DrmIoctl.PrimeHandleToFd), 0xC00C642D),
        (nameof(DrmIoctl.PrimeFdToHandle), 0xC00C642E),
        (nameof(DrmIoctl.VirtgpuMap), 0xC0106441),
        (nameof(DrmIoctl.VirtgpuExecbuffer), 0xC0406442),
        (nameof(DrmIoctl.VirtgpuExecbufferWithRingIndex), 0xC0286442),
        (nameof(DrmIoctl.VirtgpuExecbufferOriginal), 0xC0206442),
        (nameof(DrmIoctl.VirtgpuGetParam), 0xC0106443),
        (nameof(DrmIoctl.VirtgpuResourceCreate), 0xC0386444),
        (nameof(DrmIoctl.VirtgpuResourceInfo), 0xC0106445),
        (nameof(DrmIoctl.VirtgpuTransferFromHost), 0xC02C6446),
        (nameof(DrmIoctl.VirtgpuTransferToHost), 0xC02C6447),
        (nameof(DrmIoctl.VirtgpuWait), 0xC0086448),
        (nameof(DrmIoctl.VirtgpuGetCaps), 0xC0186449),
        (nameof(DrmIoctl.VirtgpuResourceCreateBlob), 0xC030644A),
        (nameof(DrmIoctl.VirtgpuContextInit), 0xC010644B),
    ];

    public static TheoryData<string, uint> Ioctls
    {
        get
        {
            var rows = new TheoryData<string, uint>();
            foreach (var (name, value) in IoctlTable) rows.Add(name, value);
            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(Ioctls))]
    public void Ioctl_number_computed_from_the_struct_size_matches_the_table(string ioctl, uint expected)
    {
        var computed = (uint)typeof(DrmIoctl).GetField(ioctl, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        Assert.Equal($"0x{expected:X8}", $"0x{computed:X8}");
    }

    [Fact]
    public void Every_ioctl_is_in_the_table()
    {
        var declared = typeof(DrmIoctl).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.FieldType == typeof(uint))
            .Select(field => field.Name)
            .Order();
        Assert.Equal(declared, IoctlTable.Select(row => row.Name).Order());
    }

    [Fact]
    public void Ioctl_encoding_rejects_sizes_that_do_not_fit_14_bits()
    {
        Assert.Equal(0xFFFF_0000u | 'd' << 8 | 0x7f, IoctlNumber.ReadWrite((byte)'d', 0x7f, (1 << 14) - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoctlNumber.ReadWrite((byte)'d', 0, 1 << 14));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoctlNumber.Write((byte)'d', 0, -1));
    }

    [Fact]
    public void Fence_event_reads_from_the_eight_bytes_read_returns()
    {
        var fenceSignaled = WireBytes.FromHex<DrmEvent>("00000090 08000000");
        Assert.Equal(DrmEvent.VirtgpuFenceSignaled, fenceSignaled.Type);
        Assert.Equal(8u, fenceSignaled.Length);
    }

    [Fact]
    public void Cross_domain_context_params_round_trip_through_bytes()
    {
        var capset = new DrmVirtgpuContextSetParam { Param = VirtgpuContextParam.CapsetId, Value = 5 };
        const string Wire = "0100000000000000 0500000000000000";

        Assert.Equal(WireBytes.Normalize(Wire), WireBytes.ToHex(capset));
        var read = WireBytes.FromHex<DrmVirtgpuContextSetParam>(Wire);
        Assert.Equal(VirtgpuContextParam.CapsetId, read.Param);
        Assert.Equal(5UL, read.Value);
    }

    [Fact]
    public void Constants_match_the_uapi()
    {
        Assert.Equal(
            new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8 },
            new[]
            {
                VirtgpuParam.Features3D, VirtgpuParam.CapsetQueryFix, VirtgpuParam.ResourceBlob, VirtgpuParam.HostVisible,
                VirtgpuParam.CrossDevice, VirtgpuParam.ContextInit, VirtgpuParam.SupportedCapsetIds,
                VirtgpuParam.ExplicitDebugName,
            }.Select(param => (ulong)param));
        Assert.Equal(
            new ulong[] { 1, 2, 3, 4 },
            new[]
            {
                VirtgpuContextParam.CapsetId, VirtgpuContextParam.NumRings, VirtgpuContextParam.PollRingsMask,
                VirtgpuContextParam.DebugName,
            }.Select(param => (ulong)param));
        Assert.Equal(
            new uint[] { 0x01, 0x02, 0x04 },
            new[] { VirtgpuExecbufferFlags.FenceFdIn, VirtgpuExecbufferFlags.FenceFdOut, VirtgpuExecbufferFlags.RingIndex }
                .Select(flag => (uint)flag));
        Assert.Equal(
            new uint[] { 1, 2, 3 },
            new[] { VirtgpuBlobMemory.Guest, VirtgpuBlobMemory.Host3D, VirtgpuBlobMemory.Host3DGuest }.Select(mem => (uint)mem));
        Assert.Equal(
            new uint[] { 1, 2, 4 },
            new[] { VirtgpuBlobFlags.UseMappable, VirtgpuBlobFlags.UseShareable, VirtgpuBlobFlags.UseCrossDevice }
                .Select(flag => (uint)flag));

        Assert.Equal(1u, DrmVirtgpuExecbufferSyncobj.FlagReset);
        Assert.Equal(1u, DrmVirtgpu3DWait.FlagNoWait);
        Assert.Equal(0x80000u, DrmPrimeHandle.CloseOnExec);
        Assert.Equal(0x2u, DrmPrimeHandle.ReadWrite);
        Assert.Equal(0x9000_0000u, DrmEvent.VirtgpuFenceSignaled);
        Assert.Equal((byte)'d', DrmIoctl.Type);
        Assert.Equal(0x40, DrmIoctl.CommandBase);
    }
}
