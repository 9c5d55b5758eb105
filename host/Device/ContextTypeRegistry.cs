using System.Diagnostics.CodeAnalysis;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// The context types a device offers, by capset id. Filled at startup, then only read (devices on
/// different connections may read it at once). GET_CAPSET_INFO numbers the types densely in
/// ascending capset-id order, as crosvm does.
/// </summary>
public sealed class ContextTypeRegistry
{
    /// <summary>Capset data is sent whole in one response; no real capset comes near this.</summary>
    public const uint MaxCapsetSize = 64 * 1024;

    private readonly List<IContextType> _inRegistrationOrder = [];
    private readonly List<IContextType> _inCapsetIdOrder = [];

    public int Count => _inCapsetIdOrder.Count;

    /// <summary>The types by dense capset index: ascending capset id.</summary>
    public IReadOnlyList<IContextType> InCapsetIdOrder => _inCapsetIdOrder;

    /// <summary>
    /// The type of a context created with capset 0: the first registered 3D type, or null when there
    /// is none (a device with only cross-domain cannot serve Linux's implicit context).
    /// </summary>
    public IContextType? DefaultType => _inRegistrationOrder.Find(type => type.Is3D);

    /// <summary>The largest capset any type has; sizes the device's response buffer.</summary>
    public uint LargestCapsetSize => _inCapsetIdOrder.Count == 0 ? 0 : _inCapsetIdOrder.Max(type => type.CapsetMaxSize);

    public void Register(IContextType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        uint id = (uint)type.CapsetId;
        // Linux drops every capset of a device that reports one outside 1..63.
        if (id is 0 or > VirtioGpuLimits.MaxCapsetId)
            throw new ArgumentException($"Capset id {id} of {type.GetType().Name} is outside 1..{VirtioGpuLimits.MaxCapsetId}.", nameof(type));
        if (type.CapsetMaxSize > MaxCapsetSize)
            throw new ArgumentException($"Capset {type.CapsetId} is {type.CapsetMaxSize} bytes; at most {MaxCapsetSize} are allowed.", nameof(type));
        if (TryGet(type.CapsetId, out var existing))
            throw new ArgumentException($"Capset {type.CapsetId} is already served by {existing.GetType().Name}.", nameof(type));
        _inRegistrationOrder.Add(type);
        int index = _inCapsetIdOrder.FindIndex(other => other.CapsetId > type.CapsetId);
        _inCapsetIdOrder.Insert(index < 0 ? _inCapsetIdOrder.Count : index, type);
    }

    public bool TryGet(CapsetId capsetId, [NotNullWhen(true)] out IContextType? type)
    {
        foreach (var candidate in _inCapsetIdOrder)
        {
            if (candidate.CapsetId != capsetId) continue;
            type = candidate;
            return true;
        }
        type = null;
        return false;
    }
}
