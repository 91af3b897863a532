using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace B2BKpiApi.Webhooks;

/// <summary>
/// Signing secrets: made here, encrypted at rest with ASP.NET Core Data Protection (they must be read back to sign,
/// so a hash cannot serve), and used for the Standard Webhooks signature. A secret never reaches a log or an error.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    public const string Prefix = "whsec_";

    private readonly IDataProtector _protector = provider.CreateProtector("B2BKpiApi.Webhooks.SigningSecret.v1");

    /// <summary><c>whsec_</c> and the base64 of 32 random bytes (Standard Webhooks asks for 24 to 64).</summary>
    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _protector.Protect(secret);

    /// <exception cref="CryptographicException">The key ring that encrypted it is gone: the secret must be rotated.</exception>
    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary><c>v1,</c> and the base64 HMAC-SHA256, keyed with the secret's bytes, of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The <c>webhook-signature</c> header: one signature per live secret, space-separated.</summary>
    public static string SignatureHeader(IEnumerable<string> secrets, string webhookId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(s => Sign(s, webhookId, timestamp, body)));
}
