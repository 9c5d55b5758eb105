namespace CrossDomain.Host.Device;

/// <summary>The cursor as the cursor queue last set it; resource 0 means hidden.</summary>
public readonly record struct CursorState(uint ScanoutId, uint X, uint Y, uint ResourceId, uint HotX, uint HotY);
