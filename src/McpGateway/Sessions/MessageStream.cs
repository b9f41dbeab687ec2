using System.Threading.Channels;
using McpGateway.Upstreams;
using ModelContextProtocol.Protocol;

namespace McpGateway.Sessions;

/// <summary>An ordered queue of messages for one downstream HTTP response (a POST's answer, a GET stream, a legacy SSE connection).</summary>
/// <param name="inlineReader">
/// Lets the writer run the waiting reader's continuation itself: the answer to a POST is then written to the client by the
/// code that produced it, without a thread-pool hop. Only for streams whose writers hold no lock while writing.
/// </param>
internal sealed class MessageStream(bool inlineReader = false) : IClientChannel
{
    private readonly Channel<JsonRpcMessage> _channel = Channel.CreateUnbounded<JsonRpcMessage>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = inlineReader });

    public ChannelReader<JsonRpcMessage> Reader => _channel.Reader;

    public bool TryWrite(JsonRpcMessage message) => _channel.Writer.TryWrite(message);

    public void Complete() => _channel.Writer.TryComplete();
}
