using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class ContextCommandTests : IDisposable
{
    private readonly DeviceHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Ctx_create_makes_a_context_of_the_capset_in_context_init()
    {
        _harness.SendOk(CreateContext(3, (uint)CapsetId.CrossDomain, "sommelier"));
        var context = Assert.Single(_harness.CrossDomainType.Created);
        Assert.Equal((3u, "sommelier"), (context.Setup.ContextId, context.Setup.DebugName));
        Assert.Equal(1, _harness.Device.ContextCount);
    }

    [Fact]
    public void Only_the_low_byte_of_context_init_names_the_capset()
    {
        _harness.SendOk(CreateContext(3, 0xABCD_0000 | (uint)CapsetId.CrossDomain));
        Assert.Single(_harness.CrossDomainType.Created);
    }

    [Fact]
    public void The_debug_name_stops_at_nlen_or_at_a_nul()
    {
        var command = new ContextCreateCommand { Header = Header(CommandType.ContextCreate, 4), NameLength = 3, ContextInit = 5 };
        "abcdef"u8.CopyTo(command.DebugName);
        _harness.SendOk(Encode(command));
        command.Header.ContextId = 5;
        command.NameLength = 64;
        _harness.SendOk(Encode(command));
        Assert.Equal(["abc", "abcdef"], _harness.CrossDomainType.Created.Select(context => context.Setup.DebugName));
    }

    [Fact]
    public void Ctx_create_refuses_id_0_ids_in_use_and_overlong_names()
    {
        _harness.SendOk(CreateContext(3, 5));
        _harness.SendFails(CreateContext(0, 5), GpuError.InvalidContextId);
        _harness.SendFails(CreateContext(3, 5), GpuError.InvalidContextId);
        var command = new ContextCreateCommand { Header = Header(CommandType.ContextCreate, 4), NameLength = 65, ContextInit = 5 };
        _harness.SendFails(Encode(command), GpuError.InvalidParameter);
        Assert.Single(_harness.CrossDomainType.Created);
    }

    [Fact]
    public void Ctx_create_refuses_capsets_nobody_serves()
    {
        _harness.SendFails(CreateContext(3, (uint)CapsetId.Virgl), GpuError.InvalidParameter);
        _harness.SendFails(CreateContext(3, 0xFF), GpuError.InvalidParameter);
        _harness.SendFails(CreateContext(3, 0), GpuError.InvalidParameter);
        Assert.Equal(0, _harness.Device.ContextCount);
    }

    [Fact]
    public void Capset_0_gets_the_first_registered_3d_type()
    {
        var virgl = new FakeTimelineContextType(CapsetId.Virgl, is3D: true);
        using var harness = new DeviceHarness(contextTypes: [new FakeTimelineContextType(CapsetId.CrossDomain), virgl]);
        harness.SendOk(CreateContext(1, 0));
        Assert.Single(virgl.Created);
    }

    [Fact]
    public void A_type_that_cannot_make_the_context_fails_the_command()
    {
        _harness.CrossDomainType.CreateError = GpuError.OutOfMemory;
        _harness.SendFails(CreateContext(3, 5), GpuError.OutOfMemory);
        Assert.Equal(0, _harness.Device.ContextCount);
    }

    [Fact]
    public void Ctx_destroy_disposes_the_context_and_frees_its_id()
    {
        var context = _harness.CreateContext(3);
        _harness.SendOk(DestroyContext(3));
        Assert.True(context.IsDisposed);
        Assert.Equal(0, _harness.Device.ContextCount);
        _harness.SendFails(DestroyContext(3), GpuError.InvalidContextId);
        _harness.SendFails(DestroyContext(0), GpuError.InvalidContextId);
        _harness.CreateContext(3);
    }

    [Fact]
    public void Attach_and_detach_tell_the_context_once_each()
    {
        var context = _harness.CreateContext(3);
        _harness.SendOk(Create2D(9, 4, 4));
        _harness.SendOk(AttachResource(3, 9));
        _harness.SendOk(AttachResource(3, 9));
        _harness.SendOk(DetachResource(3, 9));
        _harness.SendOk(DetachResource(3, 9));
        Assert.Equal(["attach 9", "detach 9"], context.ResourceEvents);
    }

    [Fact]
    public void Attach_and_detach_refuse_unknown_contexts_and_resources()
    {
        _harness.CreateContext(3);
        _harness.SendOk(Create2D(9, 4, 4));
        _harness.SendFails(AttachResource(4, 9), GpuError.InvalidContextId);
        _harness.SendFails(AttachResource(3, 10), GpuError.InvalidResourceId);
        _harness.SendFails(DetachResource(4, 9), GpuError.InvalidContextId);
        _harness.SendFails(DetachResource(3, 0), GpuError.InvalidResourceId);
    }

    [Fact]
    public void Unref_detaches_the_resource_from_every_context_that_sees_it()
    {
        var first = _harness.CreateContext(3);
        var second = _harness.CreateContext(4);
        _harness.SendOk(Create2D(9, 4, 4));
        _harness.SendOk(AttachResource(3, 9));
        _harness.SendOk(AttachResource(4, 9));

        _harness.SendOk(Unref(9));

        Assert.Equal(["attach 9", "detach 9"], first.ResourceEvents);
        Assert.Equal(["attach 9", "detach 9"], second.ResourceEvents);
    }

    [Fact]
    public void A_destroyed_context_is_not_called_when_its_resources_go()
    {
        var context = _harness.CreateContext(3);
        _harness.SendOk(Create2D(9, 4, 4));
        _harness.SendOk(AttachResource(3, 9));
        _harness.SendOk(DestroyContext(3));

        _harness.SendOk(Unref(9));

        Assert.Equal(["attach 9"], context.ResourceEvents);
    }

    [Fact]
    public void Submit_hands_the_command_stream_to_the_context()
    {
        var context = _harness.CreateContext(3);
        _harness.SendOk(Submit(3, [1, 2, 3, 4, 5]));
        _harness.SendOk(Submit(3, []));
        Assert.Equal([[1, 2, 3, 4, 5], []], context.Submissions);
    }

    [Fact]
    public void Submit_refuses_unknown_contexts_and_streams_longer_than_the_request()
    {
        var context = _harness.CreateContext(3);
        _harness.SendFails(Submit(4, [1]), GpuError.InvalidContextId);
        _harness.SendFails(Submit(0, [1]), GpuError.InvalidContextId);
        _harness.SendFails(Submit(3, 9, [1, 2, 3, 4]), GpuError.Unspecified);
        Assert.Empty(context.Submissions);
    }

    [Fact]
    public void A_context_error_on_submit_is_the_reply()
    {
        var context = _harness.CreateContext(3);
        context.SubmitError = GpuError.InvalidParameter;
        _harness.SendFails(Submit(3, [1]), GpuError.InvalidParameter);
    }

    [Fact]
    public void A_context_that_throws_costs_the_guest_one_command_not_the_device()
    {
        _harness.ErrorsExpected = true;
        var context = _harness.CreateContext(3);
        context.ThrowOnSubmit = true;

        _harness.SendFails(Submit(3, [1]), GpuError.Unspecified);

        Assert.Single(_harness.Logger.Errors);
        context.ThrowOnSubmit = false;
        _harness.SendOk(Submit(3, [2]));
        _harness.SendOk(GetDisplayInfo(), CommandType.OkDisplayInfo);
    }
}
