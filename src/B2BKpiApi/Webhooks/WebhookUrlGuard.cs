using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Webhooks;

/// <summary>
/// Which addresses a webhook may never reach (SSRF): the server's own loopback, private networks, link-local
/// (with the cloud metadata address 169.254.169.254), multicast, unspecified, broadcast and reserved ranges, in
/// IPv4, IPv6 and the IPv6 forms that embed an IPv4 address.
/// </summary>
public static class AddressClassifier
{
    /// <summary>Why <paramref name="address"/> is refused, or null when a webhook may connect to it.</summary>
    public static string? Refusal(IPAddress address, bool allowLoopback = false)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
                return Refusal(address.MapToIPv4(), allowLoopback);
            if (address.Equals(IPAddress.IPv6Loopback))
                return allowLoopback ? null : "loopback";
            if (address.Equals(IPAddress.IPv6Any))
                return "unspecified";
            var b = address.GetAddressBytes();
            if (b[0] == 0xff)
                return "multicast";
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
                return "link-local";
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
                return "private (site-local)";
            if ((b[0] & 0xfe) == 0xfc)
                return "private (unique local)";
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they embed.
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
                return Refusal(new IPAddress(b.AsSpan(12, 4)), allowLoopback);
            if (b[0] == 0x20 && b[1] == 0x02)
                return Refusal(new IPAddress(b.AsSpan(2, 4)), allowLoopback);
            // ::a.b.c.d (IPv4-compatible, deprecated) and the rest of ::/8.
            if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
                return "reserved (IPv4-compatible)";
            return null;
        }

        var v4 = address.GetAddressBytes();
        return (v4[0], v4[1]) switch
        {
            (0, _) => "unspecified",
            (127, _) => allowLoopback ? null : "loopback",
            (10, _) => "private",
            (172, >= 16 and <= 31) => "private",
            (192, 168) => "private",
            (100, >= 64 and <= 127) => "private (shared address space, CGNAT)",
            (169, 254) => "link-local (cloud metadata)",
            (192, 0) when v4[2] == 0 => "reserved (IETF protocol assignments)",
            (198, 18 or 19) => "reserved (benchmarking)",
            (>= 224 and <= 239, _) => "multicast",
            (>= 240, _) => v4.AsSpan().IndexOfAnyExcept((byte)255) < 0 ? "broadcast" : "reserved",
            _ => null,
        };
    }

    /// <summary>Host names that point at cloud metadata services or internal names, whatever they resolve to.</summary>
    public static string? HostRefusal(string host, bool allowLoopback = false)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (name is "metadata" or "metadata.google.internal" or "instance-data" or "metadata.azure.com" or "metadata.packet.net")
            return "a cloud metadata host";
        if (name.EndsWith(".internal", StringComparison.Ordinal) || name.EndsWith(".local", StringComparison.Ordinal)
            || name.EndsWith(".localdomain", StringComparison.Ordinal))
            return "an internal host name";
        if (!allowLoopback && (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal)))
            return "loopback";
        return null;
    }
}

/// <summary>Resolves host names for the SSRF guard; replaceable so tests can play DNS rebinding without a network.</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>A webhook connection refused by the SSRF guard; its message names the reason, never a secret.</summary>
public sealed class WebhookAddressRefusedException(string message) : IOException(message);

/// <summary>
/// The SSRF guard: checks a URL when it is registered and every address again when a connection is opened, so a
/// name that resolved to a public address at registration and to a private one later (DNS rebinding) is refused.
/// </summary>
public sealed class WebhookUrlGuard(IWebhookHostResolver resolver, IOptions<WebhookOptions> options)
{
    private bool AllowLoopback => options.Value.AllowLoopbackHttp;

    /// <summary>What is wrong with the URL itself (scheme, credentials, host name), or null.</summary>
    public string? CheckSyntax(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "'url' must be an absolute https URL.";
        if (uri.Scheme == Uri.UriSchemeHttp && !AllowLoopback)
            return "'url' must use https.";
        if (uri.UserInfo.Length > 0)
            return "'url' must not hold a user name or password.";
        if (uri.Fragment.Length > 0)
            return "'url' must not have a fragment.";
        if (uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
            return "'url' must name a host.";
        return AddressClassifier.HostRefusal(uri.IdnHost, AllowLoopback) is { } refusal ? $"'url' points at {refusal}, which webhooks may not reach." : null;
    }

    /// <summary>The full registration check: the URL, then every address its host resolves to now.</summary>
    public async Task<string?> CheckAsync(string url, CancellationToken ct)
    {
        if (CheckSyntax(url) is { } problem)
            return problem;
        var uri = new Uri(url);
        try
        {
            await AllowedAddressesAsync(uri.IdnHost, ct);
            return null;
        }
        catch (WebhookAddressRefusedException refused)
        {
            return $"'url' {refused.Message}";
        }
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> a webhook may connect to. Refuses the host when ANY of its addresses
    /// is forbidden, so a name cannot mix a public address (to pass a check) with a private one (to be used).
    /// </summary>
    public async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken ct)
    {
        if (AddressClassifier.HostRefusal(host, AllowLoopback) is { } hostRefusal)
            throw new WebhookAddressRefusedException($"points at {hostRefusal}, which webhooks may not reach.");
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(host, ct);
            }
            catch (SocketException)
            {
                throw new WebhookAddressRefusedException("has a host name that does not resolve.");
            }
        }
        if (addresses.Length == 0)
            throw new WebhookAddressRefusedException("has a host name that does not resolve.");
        foreach (var address in addresses)
        {
            if (AddressClassifier.Refusal(address, AllowLoopback) is { } refusal)
                throw new WebhookAddressRefusedException($"resolves to {("aeiou".Contains(refusal[0], StringComparison.Ordinal) ? "an" : "a")} {refusal} address, which webhooks may not reach.");
        }
        return addresses;
    }
}
