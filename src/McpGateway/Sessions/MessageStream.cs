using System.Threading.Channels;
using McpGateway.Upstreams;
using ModelContextProtocol.Protocol;

namespace McpGateway.Sessions;

/// <summary>An ordered queue of messages for one downstream HTTP response (a POST's answer, a GET stream, a legacy SSE connection).</summary>
internal sealed class MessageStream : IClientChannel
{
    private readonly Channel<JsonRpcMessage> _channel = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<JsonRpcMessage> Reader => _channel.Reader;

    public bool TryWrite(JsonRpcMessage message) => _channel.Writer.TryWrite(message);

    public void Complete() => _channel.Writer.TryComplete();
}
