namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The bytes one clipboard or drag-and-drop transfer has carried so far: each pipe has one, so that
/// the count ends with the pipe, however it ends. The firewall judges it against its limit
/// (<see cref="WaylandStreamFilter.CheckGuestWrite"/>, <see cref="WaylandStreamFilter.CountGuestRead"/>).
/// </summary>
internal sealed class TransferMeter
{
    public long Bytes { get; private set; }

    public void Add(int count) => Bytes += count;
}
