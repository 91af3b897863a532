using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Webhooks;

/// <summary>One entry of an address table: a prefix, what it is, where it is defined, and whether a webhook may reach it.</summary>
/// <param name="Prefix">CIDR, e.g. <c>192.0.2.0/24</c>.</param>
/// <param name="Name">The reason shown in a refusal (lower case, fits "a … address").</param>
/// <param name="Rfc">The RFC(s) that define the block.</param>
/// <param name="Global">The registry's "Globally Reachable" column: true lets a webhook reach it (unless an embedded IPv4 address is refused).</param>
public sealed record SpecialPurposeBlock(string Prefix, string Name, string Rfc, bool Global)
{
    public IPAddress Network { get; } = IPAddress.Parse(Prefix[..Prefix.IndexOf('/', StringComparison.Ordinal)]);

    public int Length { get; } = int.Parse(Prefix[(Prefix.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The development switch (<c>Webhooks:AllowLoopbackHttp</c>) lets loopback through; nothing else.</summary>
    public bool Loopback => Name == "loopback";

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Network.AddressFamily)
            return false;
        var a = address.GetAddressBytes();
        var n = Network.GetAddressBytes();
        var full = Length / 8;
        if (!a.AsSpan(0, full).SequenceEqual(n.AsSpan(0, full)))
            return false;
        var rest = Length % 8;
        if (rest == 0)
            return true;
        var mask = (byte)(0xff << (8 - rest));
        return (a[full] & mask) == (n[full] & mask);
    }
}

/// <summary>
/// Which addresses a webhook may never reach (SSRF), decided from the IANA special-purpose address registries: every
/// entry whose "Globally Reachable" is not true is refused (false, N/A and deprecated alike), the most specific entry
/// deciding. A few blocks outside those registries are refused too (multicast, the deprecated site-local and
/// IPv4-compatible forms, and IPv6 outside global unicast 2000::/3). Every IPv6 form that embeds an IPv4 address
/// (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4, Teredo) is decoded
/// and the embedded address judged as well: the address is refused when either is.
/// </summary>
public static class AddressClassifier
{
    /// <summary>IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry, as of 2025), plus multicast.</summary>
    public static readonly IReadOnlyList<SpecialPurposeBlock> IPv4Registry =
    [
        new("0.0.0.0/8", "unspecified (\"this network\")", "RFC 791", false),
        new("0.0.0.0/32", "unspecified (\"this host on this network\")", "RFC 1122", false),
        new("10.0.0.0/8", "private", "RFC 1918", false),
        new("100.64.0.0/10", "private (shared address space, CGNAT)", "RFC 6598", false),
        new("127.0.0.0/8", "loopback", "RFC 1122", false),
        new("169.254.0.0/16", "link-local (cloud metadata)", "RFC 3927", false),
        new("172.16.0.0/12", "private", "RFC 1918", false),
        new("192.0.0.0/24", "reserved (IETF protocol assignments)", "RFC 6890", false),
        new("192.0.0.0/29", "reserved (IPv4 service continuity prefix)", "RFC 7335", false),
        new("192.0.0.8/32", "reserved (IPv4 dummy address)", "RFC 7600", false),
        new("192.0.0.9/32", "Port Control Protocol anycast", "RFC 7723", true),
        new("192.0.0.10/32", "TURN anycast", "RFC 8155", true),
        new("192.0.0.170/32", "reserved (NAT64/DNS64 discovery)", "RFC 8880, RFC 7050", false),
        new("192.0.0.171/32", "reserved (NAT64/DNS64 discovery)", "RFC 8880, RFC 7050", false),
        new("192.0.2.0/24", "reserved (documentation, TEST-NET-1)", "RFC 5737", false),
        new("192.31.196.0/24", "AS112-v4", "RFC 7535", true),
        new("192.52.193.0/24", "AMT", "RFC 7450", true),
        new("192.88.99.0/24", "reserved (deprecated 6to4 relay anycast)", "RFC 7526", false),
        new("192.168.0.0/16", "private", "RFC 1918", false),
        new("192.175.48.0/24", "AS112 direct delegation", "RFC 7534", true),
        new("198.18.0.0/15", "reserved (benchmarking)", "RFC 2544", false),
        new("198.51.100.0/24", "reserved (documentation, TEST-NET-2)", "RFC 5737", false),
        new("203.0.113.0/24", "reserved (documentation, TEST-NET-3)", "RFC 5737", false),
        new("240.0.0.0/4", "reserved", "RFC 1112", false),
        new("255.255.255.255/32", "broadcast", "RFC 8190, RFC 919", false),
        // Not in the special-purpose registry (IANA IPv4 Multicast Address Space Registry), never a webhook receiver.
        new("224.0.0.0/4", "multicast", "RFC 5771", false),
    ];

    /// <summary>IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry, as of 2025), plus the address-space blocks that are not global unicast.</summary>
    public static readonly IReadOnlyList<SpecialPurposeBlock> IPv6Registry =
    [
        new("::1/128", "loopback", "RFC 4291", false),
        new("::/128", "unspecified", "RFC 4291", false),
        // Registry: not globally reachable, because it never appears on the wire; a socket given it connects to the
        // embedded IPv4 address, so that address decides (see Refusal).
        new("::ffff:0:0/96", "IPv4-mapped", "RFC 4291", false),
        new("64:ff9b::/96", "NAT64 (well-known prefix)", "RFC 6052", true),
        new("64:ff9b:1::/48", "reserved (local-use NAT64)", "RFC 8215", false),
        new("100::/64", "reserved (discard-only)", "RFC 6666", false),
        new("2001::/23", "reserved (IETF protocol assignments)", "RFC 2928", false),
        new("2001::/32", "Teredo", "RFC 4380, RFC 8190", false),
        new("2001:1::1/128", "Port Control Protocol anycast", "RFC 7723", true),
        new("2001:1::2/128", "TURN anycast", "RFC 8155", true),
        new("2001:2::/48", "reserved (benchmarking)", "RFC 5180, RFC 1752", false),
        new("2001:3::/32", "AMT", "RFC 7450", true),
        new("2001:4:112::/48", "AS112-v6", "RFC 7535", true),
        new("2001:10::/28", "reserved (deprecated ORCHID)", "RFC 4843", false),
        new("2001:20::/28", "ORCHIDv2", "RFC 7343", true),
        new("2001:30::/28", "Drone Remote ID DETs", "RFC 9374", true),
        new("2001:db8::/32", "reserved (documentation)", "RFC 3849", false),
        new("2002::/16", "6to4", "RFC 3056", false),
        new("2620:4f:8000::/48", "AS112 direct delegation", "RFC 7534", true),
        new("3fff::/20", "reserved (documentation)", "RFC 9637", false),
        new("5f00::/16", "reserved (segment routing SIDs)", "RFC 9602", false),
        new("fc00::/7", "private (unique local)", "RFC 4193, RFC 8190", false),
        new("fe80::/10", "link-local", "RFC 4291", false),
        // Beyond the special-purpose registry (IANA IPv6 Address Space): multicast, the deprecated site-local and
        // IPv4-compatible/-translated forms, and everything outside global unicast 2000::/3.
        new("ff00::/8", "multicast", "RFC 4291", false),
        new("fec0::/10", "private (site-local, deprecated)", "RFC 3879", false),
        new("::/96", "reserved (IPv4-compatible, deprecated)", "RFC 4291", false),
        new("::ffff:0:0:0/96", "reserved (IPv4-translated)", "RFC 2765", false),
        new("::/3", "reserved (not global unicast)", "RFC 4291", false),
        new("4000::/2", "reserved (not global unicast)", "RFC 4291", false),
        new("8000::/1", "reserved (not global unicast)", "RFC 4291", false),
    ];

    /// <summary>The most specific table entry holding <paramref name="address"/>, or null (an ordinary global address).</summary>
    public static SpecialPurposeBlock? Block(IPAddress address)
    {
        var table = address.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6Registry : IPv4Registry;
        SpecialPurposeBlock? best = null;
        foreach (var block in table)
            if ((best is null || block.Length > best.Length) && block.Contains(address))
                best = block;
        return best;
    }

    /// <summary>
    /// The IPv4 address an IPv6 address embeds, and the form that embeds it: IPv4-mapped (::ffff:0:0/96),
    /// IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96, and 64:ff9b:1::/48 in its
    /// /96 layout: the last 32 bits), 6to4 (2002::/16: bits 16–47) and Teredo (2001::/32: the client address is the
    /// last 32 bits inverted). Null for any other address.
    /// </summary>
    public static (string Form, IPAddress Embedded)? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return null;
        var b = address.GetAddressBytes();
        var last = new IPAddress(b.AsSpan(12, 4));
        var zeroTo = (int n) => b.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0;
        if (zeroTo(10) && b[10] == 0xff && b[11] == 0xff)
            return ("IPv4-mapped", last);
        if (zeroTo(8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
            return ("IPv4-translated", last);
        if (zeroTo(12))
            return b.AsSpan(12).IndexOfAnyExcept((byte)0) < 0 || (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1) ? null : ("IPv4-compatible", last);
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            if (b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
                return ("NAT64", last);
            if (b[4] == 0x00 && b[5] == 0x01)
                return ("local-use NAT64", last);
        }
        if (b[0] == 0x20 && b[1] == 0x02)
            return ("6to4", new IPAddress(b.AsSpan(2, 4)));
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        {
            var client = ~BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(12, 4));
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, client);
            return ("Teredo", new IPAddress(v4));
        }
        return null;
    }

    /// <summary>Why <paramref name="address"/> is refused, or null when a webhook may connect to it.</summary>
    public static string? Refusal(IPAddress address, bool allowLoopback = false)
    {
        if (EmbeddedIPv4(address) is var (form, embedded))
        {
            if (Refusal(embedded, allowLoopback) is { } inner)
                return $"{inner} ({form} form of {embedded})";
            // The socket connects to the IPv4 address itself: only it decides.
            if (form == "IPv4-mapped")
                return null;
        }
        var block = Block(address);
        if (block is null || block.Global || (block.Loopback && allowLoopback))
            return null;
        return block.Name;
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

    /// <summary>The lowest port a webhook may use besides 80 and 443: below it are well-known services (SSH, SMTP…), not receivers.</summary>
    public const int MinPort = 1024;

    /// <summary>What RFC 3986 allows in a URL: unreserved, reserved (gen-delims and sub-delims) and '%' of a percent-encoding.</summary>
    private static readonly System.Buffers.SearchValues<char> UrlCharacters = System.Buffers.SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%");

    private static bool LoopbackHost(Uri uri) =>
        uri.IsLoopback || uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with the URL itself (scheme, credentials, host name), or null.</summary>
    public string? CheckSyntax(string url)
    {
        // Uri would quietly escape a space or a quote; a URL as RFC 3986 writes it holds none (percent-encode them).
        var bad = url.AsSpan().IndexOfAnyExcept(UrlCharacters);
        if (bad >= 0)
        {
            var c = url[bad];
            var what = c == ' ' ? "a space" : c is > ' ' and <= '~' ? $"'{c}'" : $"the character U+{(int)c:X4}";
            return $"'url' must not contain {what} (position {bad + 1}): percent-encode it" +
                   (c > '~' ? " (and write an international host name in its xn-- form)." : ".");
        }
        for (var i = url.IndexOf('%', StringComparison.Ordinal); i >= 0; i = url.IndexOf('%', i + 1))
            if (i + 2 >= url.Length || !char.IsAsciiHexDigit(url[i + 1]) || !char.IsAsciiHexDigit(url[i + 2]))
                return $"'url' has a '%' not followed by two hex digits (position {i + 1}).";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "'url' must be an absolute https URL.";
        if (uri.Scheme == Uri.UriSchemeHttp && !AllowLoopback)
            return "'url' must use https" + (LoopbackHost(uri) ? "; for a receiver on this machine in development, set Webhooks:AllowLoopbackHttp=true (refused in Production)." : ".");
        if (uri.Port is not (80 or 443) && uri.Port is < MinPort or > 65535)
            return $"'url' must use port 443, port 80 or a port from {MinPort} to 65535 (not {uri.Port}): well-known service ports are not webhook receivers.";
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
