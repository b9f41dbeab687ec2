using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Policy;
using McpGateway.Protocol;
using McpGateway.Sessions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Guardrails;

/// <summary>
/// Redacts secrets and personal data from <c>tools/call</c> results and <c>resources/read</c> contents on their way to
/// the client: the view's <c>redact</c> when it has one (<c>false</c> turns it off), else <c>guardrails.redact</c>.
/// Counts matches in <c>mcp_guardrail_redactions_total{detector}</c>; logs never carry the matched text.
/// </summary>
internal sealed class RedactionFilter : IForwardFilter
{
    private const string ResourcesRead = "resources/read";

    private readonly IGatewayConfigProvider _config;
    private readonly ILogger _logger;
    private readonly Counter<long> _redactions;

    public RedactionFilter(IGatewayConfigProvider config, IMeterFactory meterFactory, ILoggerFactory loggerFactory)
    {
        _config = config;
        _logger = loggerFactory.CreateLogger("McpGateway.Guardrails");
        _redactions = meterFactory.Create(GatewayTelemetry.MeterName)
            .CreateCounter<long>("mcp_guardrail_redactions", description: "Matches replaced in tool results and resource contents, by detector or pattern name");
    }

    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next)
    {
        var method = context.Request.Method;
        if (method is not (McpMethods.ToolsCall or ResourcesRead) || OptionsFor(context.Target) is not { } options)
        {
            return next(context);
        }

        var redactor = Redactor.For(options);
        return redactor.IsEmpty ? next(context) : RedactAsync(context, next, redactor, method);
    }

    private async Task<JsonRpcMessage> RedactAsync(ForwardContext context, ForwardDelegate next, Redactor redactor, string method)
    {
        var answer = await next(context);
        if (answer is JsonRpcResponse { Result: JsonObject result })
        {
            redactor.Apply(result, (detector, count) =>
            {
                _redactions.Add(count, new KeyValuePair<string, object?>("detector", detector));
                GatewayLog.Redacted(_logger, context.Target.DisplayName, count, detector, method);
            });
        }

        return answer;
    }

    private RedactionOptions? OptionsFor(SessionTarget target) =>
        (target as ViewTarget)?.View.Redact ?? _config.Current.Gateway.Guardrails.Redact;
}
