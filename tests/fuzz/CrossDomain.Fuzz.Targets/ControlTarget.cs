using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Control and cursor requests into <c>VirtioGpuDevice</c>, which has the real cross-domain context
/// type but no compositor (so contexts are real without needing a socket). An input is a list of
/// operations; the low two bits of each operation byte say which:
/// <list type="table">
/// <item><term>0</term><description>a control request (a record), with a reply buffer as large as the next byte says</description></item>
/// <item><term>1</term><description>the guest writes a record into its RAM at the next 32-bit offset</description></item>
/// <item><term>2</term><description>a cursor request (a record)</description></item>
/// <item><term>3</term><description>a loop turn, where fences other threads signalled are delivered</description></item>
/// </list>
/// </summary>
public sealed class ControlTarget : FuzzTarget
{
    private const int MaxOperations = 128;

    public override string Name => "control";

    public override void Run(ReadOnlySpan<byte> input)
    {
        using var rig = new DeviceRig(compositorSocketPath: null);
        var reader = new FuzzInput(input);
        for (int i = 0; i < MaxOperations && !reader.IsEmpty; i++)
        {
            switch (reader.Byte() & 3)
            {
                case 0:
                    // Small capacities matter: the device must cut a response to what the driver gave it room for.
                    int capacity = reader.Byte() is var size and > 0 ? size * 16 : 4096;
                    rig.Send(reader.Record(), capacity);
                    break;
                case 1:
                    rig.WriteGuestMemory(reader.UInt32(), reader.Record());
                    break;
                case 2:
                    rig.Device.HandleCursor(reader.Record());
                    break;
                default:
                    rig.Loop.RunOnce(0);
                    break;
            }
        }
    }

    private static FuzzInputWriter Control(FuzzInputWriter writer, byte[] request) => writer.Byte(0).Byte(0).Record(request);

    private static byte[] Program(params byte[][] requests)
    {
        var writer = new FuzzInputWriter();
        foreach (var request in requests) Control(writer, request);
        return writer.ToArray();
    }

    public override IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        ulong page = DeviceRig.GuestPage(1);
        yield return ("display", Program(Requests.GetDisplayInfo(), Requests.GetEdid(0), Requests.GetCapsetInfo(0), Requests.GetCapset(CapsetId.CrossDomain, 0)));
        yield return ("2d-scanout", Program(
            Requests.Create2D(1, 16, 16),
            Requests.AttachBacking(1, page, 16 * 16 * 4),
            Requests.TransferToHost2D(1, 16, 16),
            Requests.SetScanout(0, 1, 16, 16),
            Requests.Flush(1, 16, 16),
            Requests.AssignUuid(1),
            Requests.SetScanout(0, 0, 0, 0),
            Requests.Unref(1)));
        yield return ("context-blobs", Program(
            Requests.CreateContext(1, CapsetId.CrossDomain),
            Requests.GuestBlob(1, page, DeviceRig.PageSize),
            Requests.Attach(1, 1),
            Requests.MapBlob(1, 0),
            Requests.UnmapBlob(1),
            Requests.Fenced(Requests.Submit(1, CrossDomainCommands.Poll()), 1, 0),
            Requests.DestroyContext(1),
            Requests.Unref(1)));
        yield return ("cursor", new FuzzInputWriter()
            .Byte(0).Byte(0).Record(Requests.Create2D(2, 64, 64))
            .Byte(0).Byte(0).Record(Requests.AttachBacking(2, page, 64 * 64 * 4))
            .Byte(1).UInt32(4096).Record(new byte[64])
            .Byte(2).Record(Requests.UpdateCursor(2, 10, 10))
            .Byte(3)
            .ToArray());
        yield return ("short-reply", new FuzzInputWriter().Byte(0).Byte(1).Record(Requests.GetEdid(0)).ToArray());
    }
}
