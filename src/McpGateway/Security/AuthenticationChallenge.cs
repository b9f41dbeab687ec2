using System.Text;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

/// <summary>
/// Adds parameters to the <c>WWW-Authenticate: Bearer ...</c> challenge of a 401, e.g. the JWT slice's
/// <c>resource_metadata="..."</c>. Register any number as singletons; they run in registration order.
/// </summary>
public interface IAuthenticationChallengeContributor
{
    void Contribute(HttpContext context, AuthenticationChallenge challenge);
}

/// <summary>One <c>Bearer</c> challenge being built: ordered auth-params (RFC 9110 §11.6.1, RFC 6750 §3).</summary>
public sealed class AuthenticationChallenge
{
    private readonly List<KeyValuePair<string, string>> _parameters = [];

    public IReadOnlyList<KeyValuePair<string, string>> Parameters => _parameters;

    /// <summary>Sets a parameter, replacing an earlier value of the same name.</summary>
    public AuthenticationChallenge Set(string name, string value)
    {
        _parameters.RemoveAll(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
        _parameters.Add(new(name, value));
        return this;
    }

    /// <summary>The header value: <c>Bearer</c>, then <c>name="value"</c> pairs (quotes and backslashes escaped, control characters dropped).</summary>
    public override string ToString()
    {
        var text = new StringBuilder("Bearer");
        for (var i = 0; i < _parameters.Count; i++)
        {
            text.Append(i == 0 ? " " : ", ").Append(_parameters[i].Key).Append("=\"");
            foreach (var c in _parameters[i].Value)
            {
                if (c is '"' or '\\')
                {
                    text.Append('\\').Append(c);
                }
                else if (!char.IsControl(c))
                {
                    text.Append(c);
                }
            }

            text.Append('"');
        }

        return text.ToString();
    }

    /// <summary>Builds the challenge for a refused request: <paramref name="error"/> (RFC 6750) when a credential was wrong, then every contributor.</summary>
    public static string For(HttpContext context, IEnumerable<IAuthenticationChallengeContributor> contributors, string? error, string? description)
    {
        var challenge = new AuthenticationChallenge();
        foreach (var contributor in contributors)
        {
            contributor.Contribute(context, challenge);
        }

        if (error is not null)
        {
            challenge.Set("error", error);
            if (description is not null)
            {
                challenge.Set("error_description", description);
            }
        }

        return challenge.ToString();
    }
}
