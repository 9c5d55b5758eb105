using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>Whole messages over a real socketpair, and everything a peer can get wrong.</summary>
[Collection(FdAccounting.Name)]
public sealed class VhostUserChannelTests
{
    private const MessageFlags Request = MessageFlags.Version1;

    [Fact]
    public void A_message_arrives_whole_with_its_payload_and_fds()
    {
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        using (sender)
        using (receiver)
        using (var kick = EventFd.Create())
        {
            var payload = new VringFdPayload(1, noFd: false);
            Assert.Equal(SendStatus.Sent, sender.Send((uint)FrontendRequest.SetVringKick, Request, payload, [kick.Handle]));

            using var message = ReceiveOne(receiver);
            Assert.Equal((uint)FrontendRequest.SetVringKick, message.Request);
            Assert.Equal(8, message.Payload.Length);
            Assert.True(message.TryRead(out VringFdPayload read));
            Assert.Equal(1u, read.Index);
            Assert.Equal(1, message.FdCount);
            using var received = message.TakeFd(0);
            Assert.NotNull(received);
            Assert.Null(message.TakeFd(0));
        }
    }

    [Fact]
    public void Fds_belong_to_the_message_they_were_sent_with_even_when_messages_queue_up()
    {
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        using (sender)
        using (receiver)
        using (var call = EventFd.Create())
        {
            sender.Send((uint)FrontendRequest.SetFeatures, Request, 1UL);
            sender.Send((uint)FrontendRequest.SetVringCall, Request, new VringFdPayload(0, false), [call.Handle]);
            sender.Send((uint)FrontendRequest.GetFeatures, Request, ReadOnlySpan<byte>.Empty);

            using var first = ReceiveOne(receiver);
            using var second = ReceiveOne(receiver);
            using var third = ReceiveOne(receiver);
            Assert.Equal([0, 1, 0], new[] { first.FdCount, second.FdCount, third.FdCount });
            Assert.Equal((uint)FrontendRequest.GetFeatures, third.Request);
        }
    }

    [Fact]
    public void A_message_split_across_writes_is_assembled()
    {
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        using (raw)
        using (reader)
        {
            var bytes = Encode(FrontendRequest.SetFeatures, Request, BitConverter.GetBytes(0xABCDUL));
            raw.Send(bytes.AsSpan(0, 5));
            Assert.Equal(ReceiveStatus.WouldBlock, reader.TryReceive(out _).Status);
            raw.Send(bytes.AsSpan(5, 10));
            Assert.Equal(ReceiveStatus.WouldBlock, reader.TryReceive(out _).Status);
            raw.Send(bytes.AsSpan(15));
            using var message = ReceiveOne(reader);
            Assert.True(message.TryRead(out ulong value));
            Assert.Equal(0xABCDUL, value);
        }
    }

    [Fact]
    public void A_clean_close_between_messages_is_closed_not_an_error()
    {
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        using (reader)
        {
            raw.Dispose();
            var result = reader.TryReceive(out _);
            Assert.Equal(ReceiveStatus.Closed, result.Status);
            Assert.Equal(ChannelError.PeerClosed, result.Error);
        }
    }

    public static TheoryData<string, byte[], ChannelError> MalformedHeaders => new()
    {
        { "version 0", Encode(FrontendRequest.GetFeatures, MessageFlags.None, []), ChannelError.BadVersion },
        { "version 2", Encode(FrontendRequest.GetFeatures, (MessageFlags)2, []), ChannelError.BadVersion },
        { "a reply where requests come", Encode(FrontendRequest.GetFeatures, Request | MessageFlags.Reply, []), ChannelError.UnexpectedDirection },
        { "SET_FEATURES with 16 bytes", Encode(FrontendRequest.SetFeatures, Request, new byte[16]), ChannelError.BadPayloadSize },
        { "SET_FEATURES with 4 bytes", Encode(FrontendRequest.SetFeatures, Request, new byte[4]), ChannelError.BadPayloadSize },
        { "GET_CONFIG over 256 bytes", Encode(FrontendRequest.GetConfig, Request, new byte[12 + 257]), ChannelError.BadPayloadSize },
        { "SET_MEM_TABLE over 8 regions", Encode(FrontendRequest.SetMemTable, Request, new byte[8 + 9 * 32]), ChannelError.BadPayloadSize },
        { "an unknown id announcing 1 GiB", Header(99, Request, 1 << 30), ChannelError.BadPayloadSize },
        { "a size of 4 GiB - 1", Header((uint)FrontendRequest.SetFeatures, Request, uint.MaxValue), ChannelError.BadPayloadSize },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void A_malformed_header_faults_the_channel_before_its_payload_is_read(string what, byte[] bytes, ChannelError expected)
    {
        _ = what;
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        using (raw)
        using (reader)
        {
            raw.Send(bytes);
            var result = reader.TryReceive(out var message);
            Assert.Null(message);
            Assert.Equal(ReceiveStatus.Faulted, result.Status);
            Assert.Equal(expected, result.Error);
            // A broken stream stays broken: nothing after it can be trusted to be in step.
            Assert.Equal(expected, reader.TryReceive(out _).Error);
            Assert.Equal(SendStatus.Failed, reader.Send(1, Request, ReadOnlySpan<byte>.Empty));
        }
    }

    [Fact]
    public void Fds_on_a_request_that_takes_none_fault_the_channel_and_are_closed()
    {
        var before = FdAccounting.Snapshot();
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        using (var stray = EventFd.Create())
        {
            raw.Send(Encode(FrontendRequest.SetFeatures, Request, new byte[8]), [stray.Handle]);
            Assert.Equal(ChannelError.TooManyFds, reader.TryReceive(out _).Error);
        }
        raw.Dispose();
        reader.Dispose();
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void A_request_without_its_fd_faults_the_channel()
    {
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        using (raw)
        using (reader)
        {
            raw.Send(Encode(FrontendRequest.SetBackendReqFd, Request, []));
            Assert.Equal(ChannelError.MissingFds, reader.TryReceive(out _).Error);
        }
    }

    [Fact]
    public void More_than_eight_fds_on_an_unknown_request_fault_the_channel_and_all_are_closed()
    {
        var before = FdAccounting.Snapshot();
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        var fds = Enumerable.Range(0, 9).Select(_ => EventFd.Create()).ToArray();
        try
        {
            raw.Send(Encode((FrontendRequest)99, Request, []), fds.Select(fd => fd.Handle).ToArray());
            Assert.Equal(ChannelError.TooManyFds, reader.TryReceive(out _).Error);
        }
        finally
        {
            Array.ForEach(fds, fd => fd.Dispose());
            raw.Dispose();
            reader.Dispose();
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void A_peer_closing_mid_message_is_a_truncated_message_and_its_fds_are_closed()
    {
        var before = FdAccounting.Snapshot();
        var (raw, reader) = RawPair(MessageRules.FrontendRequests);
        using (var kick = EventFd.Create())
        {
            var bytes = Encode(FrontendRequest.SetVringKick, Request, new byte[8]);
            raw.Send(bytes.AsSpan(0, 14), [kick.Handle]);
        }
        Assert.Equal(ReceiveStatus.WouldBlock, reader.TryReceive(out _).Status);
        raw.Dispose();
        var result = reader.TryReceive(out _);
        Assert.Equal(ReceiveStatus.Faulted, result.Status);
        Assert.Equal(ChannelError.TruncatedMessage, result.Error);
        reader.Dispose();
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void An_unknown_request_within_limits_is_delivered_for_the_session_to_refuse()
    {
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        using (sender)
        using (receiver)
        {
            sender.Send(99, Request | MessageFlags.NeedReply, new byte[100]);
            using var message = ReceiveOne(receiver);
            Assert.False(message.IsKnownRequest);
            Assert.True(message.NeedsReply);
            Assert.Equal(100, message.Payload.Length);
        }
    }

    [Fact]
    public void Replies_with_id_0_or_a_wrong_size_are_refused_by_a_front_end()
    {
        var (raw, reader) = RawPair(MessageRules.FrontendReplies);
        using (raw)
        using (reader)
        {
            raw.Send(Encode(FrontendRequest.None, Request | MessageFlags.Reply, new byte[8]));
            Assert.Equal(ChannelError.UnknownRequest, reader.TryReceive(out _).Error);
        }
        (raw, reader) = RawPair(MessageRules.FrontendReplies);
        using (raw)
        using (reader)
        {
            raw.Send(Encode(FrontendRequest.GetVringBase, Request | MessageFlags.Reply, new byte[12]));
            Assert.Equal(ChannelError.BadPayloadSize, reader.TryReceive(out _).Error);
        }
    }

    [Fact]
    public void The_display_socket_takes_flags_without_version_bits()
    {
        var (sender, receiver) = Pair(MessageRules.DisplayReplies);
        using (sender)
        using (receiver)
        {
            sender.Send((uint)DisplayRequest.GetProtocolFeatures, MessageFlags.Reply, 3UL);
            using var message = ReceiveOne(receiver);
            Assert.True(message.TryRead(out ulong features));
            Assert.Equal(3UL, features);
        }
    }

    [Fact]
    public void Output_the_peer_does_not_read_is_queued_with_its_fds_then_flushed_in_order()
    {
        var before = FdAccounting.Snapshot();
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        using (var kick = EventFd.Create())
        {
            var filler = new byte[VhostUserLimits.MaxPayload - 16];
            int sent = 0;
            while (sender.Send(99, Request, filler) == SendStatus.Sent) sent++;
            // The socket is full now; this one waits in the queue with a duplicate of the fd.
            Assert.Equal(SendStatus.Queued, sender.Send((uint)FrontendRequest.SetVringKick, Request, new VringFdPayload(0, false), [kick.Handle]));
            Assert.True(sender.HasQueuedOutput);

            int received = 0;
            VhostUserMessage? last = null;
            while (last is null)
            {
                sender.Flush();
                var result = receiver.ReceiveWithin(1000, out var message);
                Assert.True(result.IsMessage, result.ToString());
                if (message!.Request == (uint)FrontendRequest.SetVringKick) last = message;
                else
                {
                    message.Dispose();
                    received++;
                }
            }
            Assert.True(received >= sent);
            Assert.Equal(1, last.FdCount);
            Assert.False(sender.HasQueuedOutput);
            last.Dispose();
        }
        sender.Dispose();
        receiver.Dispose();
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void A_peer_that_never_reads_cannot_make_the_queue_grow_without_bound()
    {
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        using (sender)
        using (receiver)
        {
            var filler = new byte[VhostUserLimits.MaxPayload];
            var status = SendStatus.Sent;
            for (int i = 0; i < 10_000 && status != SendStatus.Failed; i++) status = sender.Send(99, Request, filler);
            Assert.Equal(SendStatus.Failed, status);
            Assert.Equal(ChannelError.OutputOverflow, sender.Error);
        }
    }

    [Fact]
    public void Waiting_for_a_message_that_never_comes_times_out_and_leaves_the_channel_usable()
    {
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        using (sender)
        using (receiver)
        {
            Assert.Equal(ReceiveStatus.TimedOut, receiver.ReceiveWithin(50, out _).Status);
            sender.Send((uint)FrontendRequest.GetFeatures, Request, ReadOnlySpan<byte>.Empty);
            using var message = ReceiveOne(receiver);
            Assert.Equal((uint)FrontendRequest.GetFeatures, message.Request);
        }
    }

    [Fact]
    public void Disposing_a_message_closes_the_fds_nobody_took()
    {
        var before = FdAccounting.Snapshot();
        var (sender, receiver) = Pair(MessageRules.FrontendRequests);
        var fds = Enumerable.Range(0, 3).Select(_ => MemFd.Create("table", 4096)).ToArray();
        var table = new MemoryTable { RegionCount = 3 };
        sender.Send((uint)FrontendRequest.SetMemTable, Request,
            MemoryMarshal.AsBytes(new ReadOnlySpan<MemoryTable>(in table))[..MemoryTable.PayloadLength(3)], fds);
        Array.ForEach(fds, fd => fd.Dispose());
        var message = ReceiveOne(receiver);
        Assert.Equal(3, message.FdCount);
        using (message.TakeFd(1)) { }
        message.Dispose();
        sender.Dispose();
        receiver.Dispose();
        FdAccounting.AssertNoneOpenedSince(before);
    }

    private static (VhostUserChannel Sender, VhostUserChannel Receiver) Pair(MessageRules receiverRules)
    {
        var (a, b) = UnixSocket.CreatePair();
        return (new VhostUserChannel(a, MessageRules.FrontendRequests), new VhostUserChannel(b, receiverRules));
    }

    private static (UnixSocket Raw, VhostUserChannel Reader) RawPair(MessageRules rules)
    {
        var (a, b) = UnixSocket.CreatePair();
        return (a, new VhostUserChannel(b, rules));
    }

    private static VhostUserMessage ReceiveOne(VhostUserChannel channel)
    {
        var result = channel.ReceiveWithin(2000, out var message);
        Assert.True(result.IsMessage, result.ToString());
        return message!;
    }

    private static byte[] Header(uint request, MessageFlags flags, uint size)
    {
        var header = new MessageHeader(request, flags, size);
        return MemoryMarshal.AsBytes(new ReadOnlySpan<MessageHeader>(in header)).ToArray();
    }

    private static byte[] Encode(FrontendRequest request, MessageFlags flags, byte[] payload) =>
        [.. Header((uint)request, flags, (uint)payload.Length), .. payload];
}
