using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using McpGateway.Tests.TestSupport;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Admin;

/// <summary>The OpenAPI document describes exactly the routes mapped under <c>/api/v1</c>.</summary>
public sealed class AdminOpenApiTests
{
    [Fact]
    public async Task OpenApiDocument_DescribesEveryMappedRouteAndNothingElse()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        var answer = await new AdminApiClient(gateway).GetAsync("api/v1/openapi.json");

        answer.Status.Should().Be(HttpStatusCode.OK);
        answer.MediaType.Should().Be("application/json");
        var document = answer.Json;
        ((string)document["openapi"]!).Should().StartWith("3.1.");
        var described = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();
        var mapped = gateway.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(method => $"{method} {endpoint.RoutePattern.RawText}"))
            .ToHashSet();

        mapped.Should().HaveCountGreaterThan(20);
        described.Should().BeEquivalentTo(mapped);
    }

    [Fact]
    public async Task OpenApiDocument_EveryReferenceResolvesAndBearerIsDeclared()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var document = (await new AdminApiClient(gateway).GetAsync("api/v1/openapi.json")).Json;

        document["components"]!["securitySchemes"]!["adminToken"]!["scheme"]!.GetValue<string>().Should().Be("bearer");
        var references = new List<string>();
        Collect(document, references);
        references.Should().NotBeEmpty();
        foreach (var reference in references.Distinct())
        {
            var node = reference["#/".Length..].Split('/').Aggregate<string, JsonNode?>(document, (current, segment) => current?[segment]);
            node.Should().NotBeNull($"{reference} must resolve");
        }
    }

    private static void Collect(JsonNode? node, List<string> references)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref")
                    {
                        references.Add((string)value!);
                    }
                    else
                    {
                        Collect(value, references);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, references);
                }

                break;
        }
    }
}
