using McpGateway.Configuration;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Security;

/// <summary>
/// JWKS caching and key rollover through <see cref="JwtAuthenticator"/>: an unknown kid refetches the key set (at most
/// once per <c>jwksRefreshInterval</c>), requests are counted at the test's JWKS server, time moves on a manual clock.
/// </summary>
public sealed class JwtKeyRolloverTests : IAsyncLifetime
{
    private const string Issuer = "https://issuer.test/";
    private const string Resource = "https://gw.example.com";

    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private readonly TestSigningKey _old = TestSigningKey.Rsa("key-2026-10");
    private readonly TestSigningKey _new = TestSigningKey.Rsa("key-2026-11");
    private readonly ManualTimeProvider _clock = new(Start);
    private readonly CapturingLoggerProvider _logs = new();
    private JwksServer _jwks = null!;
    private JwtAuthenticator _authenticator = null!;

    public async ValueTask InitializeAsync()
    {
        _jwks = await JwksServer.StartAsync(_old);
        var result = ConfigLoading.Load($"""
            mcpServers: {"{"} a: {"{"} command: npx {"}"} {"}"}
            auth:
              resource: {Resource}
              jwt: {"{"} issuer: "{Issuer}", jwksUrl: "{_jwks.Url}", jwksRefreshInterval: 30s {"}"}
            """);
        result.Errors.Should().BeEmpty();
        var factory = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        _authenticator = new JwtAuthenticator(new GatewayConfigProvider(result.Config!), new HttpClient(), _clock, factory.CreateLogger<JwtAuthenticator>());
    }

    public async ValueTask DisposeAsync()
    {
        await _jwks.DisposeAsync();
        _logs.Dispose();
    }

    private async Task<AuthenticationOutcome> Present(TestSigningKey key)
    {
        var now = _clock.GetUtcNow();
        var token = key.Mint(new TokenRequest(Issuer, Resource, now.AddMinutes(-1), now.AddMinutes(30)));
        var context = new DefaultHttpContext();
        context.Request.Path = "/mcp";
        context.Request.Headers.Authorization = "Bearer " + token;
        return await _authenticator.AuthenticateAsync(context, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Authenticate_RepeatedTokensWithKnownKid_OneFetch()
    {
        for (var i = 0; i < 20; i++)
        {
            (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);
        }

        _jwks.RequestCount.Should().Be(1, "the key set is cached");
    }

    [Fact]
    public async Task Authenticate_KeyRotatedAtIssuer_NewKidPicksUpRotatedKeyWithoutRestart()
    {
        (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);
        _jwks.Publish(_new);
        _clock.Advance(TimeSpan.FromSeconds(31));

        var outcome = await Present(_new);

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
        _jwks.RequestCount.Should().Be(2);
        (await _logs.WaitForEventAsync(5042, line => line.Message.Contains("unknown kid", StringComparison.Ordinal))).Should().NotBeNull();
    }

    [Fact]
    public async Task Authenticate_StormOfRandomKids_RefetchesAtMostOncePerInterval()
    {
        (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);
        _clock.Advance(TimeSpan.FromSeconds(31));

        var storm = Enumerable.Range(0, 50).Select(i => TestSigningKey.EcP256($"random-{Guid.NewGuid():N}")).ToList();
        var outcomes = await Task.WhenAll(storm.Select(Present));

        outcomes.Should().OnlyContain(outcome => outcome.Kind == AuthenticationOutcomeKind.Rejected);
        _jwks.RequestCount.Should().Be(2, "the first unknown kid may refetch; the other 49 fall within the 30 s interval");
        _logs.CountEvents(5044).Should().BeGreaterThan(0);

        _clock.Advance(TimeSpan.FromSeconds(31));
        (await Present(storm[0])).Kind.Should().Be(AuthenticationOutcomeKind.Rejected);
        _jwks.RequestCount.Should().Be(3, "after the interval one more refetch is allowed");
        (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, "the known key still works during a storm");
    }

    [Fact]
    public async Task Authenticate_CacheMaxAgeElapsed_RefetchesWithoutUnknownKid()
    {
        _jwks.CacheControl = "public, max-age=120";
        (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);
        _clock.Advance(TimeSpan.FromSeconds(100));
        (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);
        _jwks.RequestCount.Should().Be(1, "within max-age");

        _clock.Advance(TimeSpan.FromSeconds(30));
        (await Present(_old)).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);

        _jwks.RequestCount.Should().Be(2, "max-age (120 s) elapsed");
    }

    [Theory]
    [InlineData("max-age=5", 60)]
    [InlineData("max-age=600", 600)]
    [InlineData("max-age=999999", 86400)]
    [InlineData(null, 3600)]
    [InlineData("no-store", 60)]
    public void CacheLifetime_CacheControl_ClampedToFloorAndCeiling(string? cacheControl, int expectedSeconds)
    {
        var header = cacheControl is null ? null : System.Net.Http.Headers.CacheControlHeaderValue.Parse(cacheControl);

        JwksKeySource.CacheLifetime(header).Should().Be(TimeSpan.FromSeconds(expectedSeconds));
    }
}
