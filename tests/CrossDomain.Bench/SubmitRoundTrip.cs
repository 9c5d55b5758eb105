using System.Diagnostics;
using CrossDomain.Host;
using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Host.Service;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Bench;

/// <summary>
/// A fenced, empty SUBMIT_3D on a cross-domain context's query ring, waited for with
/// DRM_IOCTL_VIRTGPU_WAIT semantics: driver → control ring → vhost-user kick → device → context →
/// fence → used ring → call eventfd → driver. The host service runs in this process on its own
/// loop thread, behind its real vhost-user socket.
/// </summary>
internal static class SubmitRoundTrip
{
    public static void Run(int count, bool eventIndex)
    {
        var directory = Directory.CreateTempSubdirectory("crossdomain-bench-");
        // Unlistened, as in a service nobody monitors: the round trip includes what metrics cost then.
        using var metrics = new HostMetrics();
        var registry = new ContextTypeRegistry();
        registry.Register(new CrossDomainContextType(new CrossDomainOptions(), NullLogger.Instance));
        var service = new VhostUserService(new HostServiceOptions { Socket = Path.Combine(directory.FullName, "gpu.sock") },
            registry, new VirtioGpuDeviceOptions(), NullLoggerFactory.Instance, metrics);
        service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        try
        {
            using var gpu = LocalVirtioGpu.Connect(Path.Combine(directory.FullName, "gpu.sock"), guestRamBytes: 16 << 20, eventIndex: eventIndex);
            gpu.InitContext((uint)CapsetId.CrossDomain, ringCount: 2, pollRingMask: 1 << 1);
            var ring = gpu.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, 4096, 0);
            uint[] handles = [ring.BufferHandle];

            for (int i = 0; i < Math.Min(count, 2000); i++) RoundTrip(gpu, handles);

            var latencies = new double[count];
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                RoundTrip(gpu, handles);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            wall.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            Array.Sort(latencies);
            Console.WriteLine($"| fenced no-op SUBMIT_3D, event-idx {(eventIndex ? "on " : "off")} | {count} | {count / wall.Elapsed.TotalSeconds:F0} | "
                + $"{latencies[count / 2]:F1} | {latencies[(int)(count * 0.99)]:F1} | {cpu.TotalMicroseconds / count:F1} |");
        }
        finally
        {
            service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            service.Dispose();
            directory.Delete(recursive: true);
        }
    }

    private static void RoundTrip(LocalVirtioGpu gpu, uint[] handles)
    {
        gpu.Submit([], ringIndex: 0, handles);
        if (!gpu.Wait(handles[0], noWait: false, TimeSpan.FromSeconds(5))) throw new TimeoutException("the fence did not signal");
    }
}
