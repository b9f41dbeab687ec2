using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Guardrails;
using McpGateway.Observability;
using McpGateway.Policy;
using McpGateway.Protocol;
using McpGateway.Sessions;
using ModelContextProtocol.Protocol;

namespace McpGateway.Audit;

/// <summary>
/// One audit record per <c>tools/call</c>, <c>prompts/get</c> and <c>resources/read</c>. Inside the telemetry filter (the
/// trace exists) and outside authorization and the guardrails, so refused calls are recorded as denied. Every other
/// method passes straight through.
/// </summary>
internal sealed class AuditFilter(AuditLog audit, IGatewayConfigProvider config) : IForwardFilter
{
    private static readonly string[] BuiltInDetectors = ["email", "creditCard", "apiKey"];

    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next)
    {
        var kind = context.Request.Method switch
        {
            McpMethods.ToolsCall => AuditKinds.ToolCall,
            "prompts/get" => AuditKinds.PromptGet,
            "resources/read" => AuditKinds.ResourceRead,
            _ => null,
        };
        return kind is null || context.Handler is not null || !audit.Enabled ? next(context) : RecordAsync(kind, context, next);
    }

    private async Task<JsonRpcMessage> RecordAsync(string kind, ForwardContext context, ForwardDelegate next)
    {
        var request = context.Request;

        // Read before forwarding: a view rewrites the name to the member's own.
        var item = McpParams.String(request.Params, kind == AuditKinds.ResourceRead ? "uri" : "name");
        var arguments = kind == AuditKinds.ResourceRead ? null : Arguments(request.Params?["arguments"]);
        var time = audit.Time;
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        JsonRpcMessage? answer = null;
        var outcome = AuditOutcomes.Error;
        try
        {
            answer = await next(context);
            outcome = OutcomeOf(context, answer);
            return answer;
        }
        catch (OperationCanceledException)
        {
            outcome = AuditOutcomes.Cancelled;
            throw;
        }
        finally
        {
            var principal = context.Inbound.Principal;
            var telemetry = context.Telemetry;
            audit.Record(new AuditRecord(
                AuditLog.NextId(at),
                at,
                kind,
                principal.Id,
                principal.Name,
                principal.Tenant,
                context.Target is ViewTarget view ? (view.IsDefault ? ViewTarget.DefaultName : view.View.Name) : null,
                telemetry?.Server is { Length: > 0 } server ? server : (context.Target as ServerTarget)?.Server.Name,
                item,
                outcome,
                (answer as JsonRpcError)?.Error.Code,
                Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
                TelemetryFilter.TraceIdOf(context, activity: null),
                arguments));
        }
    }

    private static string OutcomeOf(ForwardContext context, JsonRpcMessage answer)
    {
        if (context.Telemetry?.Outcome == RequestOutcome.Rejected)
        {
            return AuditOutcomes.Denied;
        }

        return TelemetryFilter.OutcomeOf(context.Request.Method, answer) switch
        {
            RequestOutcome.Ok => AuditOutcomes.Ok,
            RequestOutcome.Cancelled => AuditOutcomes.Cancelled,
            _ => AuditOutcomes.Error,
        };
    }

    private string? Arguments(JsonNode? arguments)
    {
        var mode = audit.Options.Arguments;
        if (mode == AuditArguments.Omit || arguments is null)
        {
            return null;
        }

        var json = arguments.ToJsonString();
        if (mode == AuditArguments.Hash)
        {
            return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        }

        return RedactorFor(config.Current.Gateway.Guardrails.Redact).Redact(json, matched: null);
    }

    private CachedRedactor? _redactor;

    /// <summary>The built-in detectors plus the operator's patterns, compiled once per <c>guardrails.redact</c>.</summary>
    private Redactor RedactorFor(RedactionOptions? guardrails)
    {
        if (Volatile.Read(ref _redactor) is { } cached && ReferenceEquals(cached.Source, guardrails))
        {
            return cached.Redactor;
        }

        var redactor = Redactor.For(new RedactionOptions { Detectors = BuiltInDetectors, Patterns = guardrails?.Patterns ?? [] });
        Volatile.Write(ref _redactor, new CachedRedactor(guardrails, redactor));
        return redactor;
    }

    private sealed record CachedRedactor(RedactionOptions? Source, Redactor Redactor);
}
