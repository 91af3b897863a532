using System.Security.Cryptography;
using System.Text;

namespace B2BKpiApi.Tenancy;

/// <summary>
/// Tenant API keys look like <c>kpi_{keyId}_{secret}</c>. The key id finds the tenant by an
/// indexed lookup; only SHA-256 of the 256-bit secret is stored, and it is compared in constant time.
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "kpi_";

    public sealed record NewKey(string Key, string KeyId, byte[] SecretHash);

    public static NewKey Create()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new NewKey($"{Prefix}{keyId}_{secret}", keyId, Hash(secret));
    }

    public static bool TryParse(string? key, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var rest = key.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (separator != 16 || rest.Length <= separator + 1)
            return false;
        keyId = rest[..separator].ToString();
        secret = rest[(separator + 1)..].ToString();
        return true;
    }

    public static bool Matches(string secret, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);

    public static bool AdminKeyMatches(string? presented, string? configured) =>
        !string.IsNullOrEmpty(presented) && !string.IsNullOrEmpty(configured)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
                                                   SHA256.HashData(Encoding.UTF8.GetBytes(configured)));

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
