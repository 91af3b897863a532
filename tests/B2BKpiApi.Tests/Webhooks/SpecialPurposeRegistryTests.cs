using System.Net;
using B2BKpiApi.Webhooks;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>
/// The SSRF guard against the IANA special-purpose address registries, one row per entry: an address inside it (refused
/// unless the registry calls the entry globally reachable) and one just outside it (decided by the next entry or
/// allowed). The expected decisions are written here by hand, not derived from the guard's table.
/// </summary>
public sealed class SpecialPurposeRegistryTests
{
    /// <summary>(the entry, an address, the expected refusal's words or null when a webhook may reach it).</summary>
    public static readonly TheoryData<string, string, string?> Rows = new()
    {
        // IPv4 (iana-ipv4-special-registry)
        { "0.0.0.0/8", "0.255.255.255", "this network" }, { "0.0.0.0/8", "1.0.0.0", null },
        { "0.0.0.0/32", "0.0.0.0", "this host" }, { "0.0.0.0/32", "0.0.0.1", "this network" },
        { "10.0.0.0/8", "10.255.255.255", "private" }, { "10.0.0.0/8", "11.0.0.0", null }, { "10.0.0.0/8", "9.255.255.255", null },
        { "100.64.0.0/10", "100.127.255.255", "CGNAT" }, { "100.64.0.0/10", "100.128.0.0", null }, { "100.64.0.0/10", "100.63.255.255", null },
        { "127.0.0.0/8", "127.255.255.255", "loopback" }, { "127.0.0.0/8", "128.0.0.0", null },
        { "169.254.0.0/16", "169.254.169.254", "link-local" }, { "169.254.0.0/16", "169.255.0.0", null },
        { "172.16.0.0/12", "172.31.255.255", "private" }, { "172.16.0.0/12", "172.32.0.0", null }, { "172.16.0.0/12", "172.15.255.255", null },
        { "192.0.0.0/24", "192.0.0.255", "IETF protocol" }, { "192.0.0.0/24", "192.0.1.0", null },
        { "192.0.0.0/29", "192.0.0.7", "service continuity" }, { "192.0.0.0/29", "192.0.0.8", "dummy" },
        { "192.0.0.8/32", "192.0.0.8", "dummy" }, { "192.0.0.8/32", "192.0.0.11", "IETF protocol" },
        { "192.0.0.9/32", "192.0.0.9", null }, { "192.0.0.10/32", "192.0.0.10", null }, { "192.0.0.10/32", "192.0.0.11", "IETF protocol" },
        { "192.0.0.170/32", "192.0.0.170", "NAT64/DNS64" }, { "192.0.0.170/32", "192.0.0.169", "IETF protocol" },
        { "192.0.0.171/32", "192.0.0.171", "NAT64/DNS64" }, { "192.0.0.171/32", "192.0.0.172", "IETF protocol" },
        { "192.0.2.0/24", "192.0.2.1", "documentation" }, { "192.0.2.0/24", "192.0.3.0", null },
        { "192.31.196.0/24", "192.31.196.1", null },
        { "192.52.193.0/24", "192.52.193.1", null },
        { "192.88.99.0/24", "192.88.99.1", "6to4 relay" }, { "192.88.99.0/24", "192.88.100.0", null },
        { "192.168.0.0/16", "192.168.255.255", "private" }, { "192.168.0.0/16", "192.169.0.0", null },
        { "192.175.48.0/24", "192.175.48.1", null },
        { "198.18.0.0/15", "198.19.255.255", "benchmarking" }, { "198.18.0.0/15", "198.20.0.0", null }, { "198.18.0.0/15", "198.17.255.255", null },
        { "198.51.100.0/24", "198.51.100.1", "documentation" }, { "198.51.100.0/24", "198.51.101.0", null },
        { "203.0.113.0/24", "203.0.113.10", "documentation" }, { "203.0.113.0/24", "203.0.114.0", null },
        { "240.0.0.0/4", "254.255.255.255", "reserved" }, { "240.0.0.0/4", "239.255.255.255", "multicast" },
        { "255.255.255.255/32", "255.255.255.255", "broadcast" }, { "255.255.255.255/32", "255.255.255.254", "reserved" },
        { "224.0.0.0/4", "224.0.0.1", "multicast" }, { "224.0.0.0/4", "223.255.255.255", null },

        // IPv6 (iana-ipv6-special-registry), with the embedded IPv4 address judged too
        { "::1/128", "::1", "loopback" }, { "::1/128", "::2", "IPv4-compatible" },
        { "::/128", "::", "unspecified" },
        { "::ffff:0:0/96", "::ffff:10.0.0.1", "private" }, { "::ffff:0:0/96", "::ffff:93.184.216.34", null }, { "::ffff:0:0/96", "::fffe:ffff:ffff", "not global unicast" },
        { "64:ff9b::/96", "64:ff9b::5db8:d822", null }, { "64:ff9b::/96", "64:ff9b::a9fe:a9fe", "link-local" }, { "64:ff9b::/96", "64:ff9b::1:0:0:1", "not global unicast" },
        { "64:ff9b:1::/48", "64:ff9b:1::5db8:d822", "local-use NAT64" }, { "64:ff9b:1::/48", "64:ff9b:1::a9fe:a9fe", "link-local" },
        { "64:ff9b:1::/48", "64:ff9b:1::a00:1", "private" }, { "64:ff9b:1::/48", "64:ff9b:2::1", "not global unicast" },
        { "100::/64", "100::1", "discard" }, { "100::/64", "100:0:0:1::1", "not global unicast" },
        { "2001::/23", "2001:1ff::1", "IETF protocol" }, { "2001::/23", "2001:200::1", null },
        { "2001::/32", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "documentation" }, { "2001::/32", "2001:0:4136:e378:8000:63bf:a247:27dd", "Teredo" },
        { "2001::/32", "2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback" }, { "2001::/32", "2001:1::4", "IETF protocol" },
        { "2001:1::1/128", "2001:1::1", null }, { "2001:1::1/128", "2001:1::4", "IETF protocol" },
        { "2001:1::2/128", "2001:1::2", null },
        { "2001:2::/48", "2001:2::1", "benchmarking" }, { "2001:2::/48", "2001:2:1::1", "IETF protocol" },
        { "2001:3::/32", "2001:3::1", null }, { "2001:3::/32", "2001:4::1", "IETF protocol" },
        { "2001:4:112::/48", "2001:4:112::1", null }, { "2001:4:112::/48", "2001:4:113::1", "IETF protocol" },
        { "2001:10::/28", "2001:1f::1", "ORCHID" }, { "2001:10::/28", "2001:f::1", "IETF protocol" },
        { "2001:20::/28", "2001:20::1", null }, { "2001:30::/28", "2001:3f::1", null }, { "2001:30::/28", "2001:40::1", "IETF protocol" },
        { "2001:db8::/32", "2001:db8::1", "documentation" }, { "2001:db8::/32", "2001:db9::1", null },
        { "2002::/16", "2002:5db8:d822::1", "6to4" }, { "2002::/16", "2002:c0a8:101::1", "private" }, { "2002::/16", "2002:a9fe:a9fe::1", "link-local" },
        { "2002::/16", "2003::1", null },
        { "2620:4f:8000::/48", "2620:4f:8000::1", null }, { "2620:4f:8000::/48", "2620:4f:8001::1", null },
        { "3fff::/20", "3fff:fff::1", "documentation" }, { "3fff::/20", "3fff:1000::1", null },
        { "5f00::/16", "5f00::1", "segment routing" }, { "5f00::/16", "5f01::1", "not global unicast" },
        { "fc00::/7", "fdff::1", "unique local" }, { "fc00::/7", "fe00::1", "not global unicast" },
        { "fe80::/10", "febf::1", "link-local" }, { "fe80::/10", "fec0::1", "site-local" },
        { "ff00::/8", "ff02::1", "multicast" }, { "ff00::/8", "feff::1", "site-local" },
        { "fec0::/10", "fec0::1", "site-local" }, { "fec0::/10", "fe7f::1", "not global unicast" },
        { "::/96", "::8.8.8.8", "IPv4-compatible" }, { "::/96", "::10.0.0.1", "private" }, { "::/96", "::1:0:0:0", "not global unicast" },
        { "::ffff:0:0:0/96", "::ffff:0:7f00:1", "loopback" }, { "::ffff:0:0:0/96", "::ffff:0:a9fe:a9fe", "link-local" },
        { "::ffff:0:0:0/96", "::ffff:0:5db8:d822", "IPv4-translated" },
        { "::/3", "1000::1", "not global unicast" }, { "::/3", "2000::1", null },
        { "4000::/2", "4000::1", "not global unicast" }, { "4000::/2", "3fff:ffff::1", null },
        { "8000::/1", "8000::1", "not global unicast" }, { "8000::/1", "7fff::1", "not global unicast" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_registry_entry_decides_inside_and_just_outside(string entry, string address, string? refusal)
    {
        var got = AddressClassifier.Refusal(IPAddress.Parse(address));
        if (refusal is null)
            Assert.True(got is null, $"{address} (row of {entry}) should be reachable, was refused as: {got}");
        else
            Assert.True(got?.Contains(refusal, StringComparison.Ordinal) == true, $"{address} (row of {entry}) should be refused as '{refusal}', got: {got ?? "allowed"}");
    }

    [Fact]
    public void Every_entry_of_the_guards_tables_has_a_row_here()
    {
        var covered = Rows.Select(r => (string)r[0]).ToHashSet(StringComparer.Ordinal);
        var missing = AddressClassifier.IPv4Registry.Concat(AddressClassifier.IPv6Registry).Select(b => b.Prefix).Where(p => !covered.Contains(p)).ToList();
        Assert.True(missing.Count == 0, "entries without a row: " + string.Join(", ", missing));
        Assert.All(AddressClassifier.IPv4Registry.Concat(AddressClassifier.IPv6Registry), b => Assert.Matches(@"^RFC \d+(, RFC \d+)*$", b.Rfc));
    }

    /// <summary>The addresses the outside probe of issue 18 registered with a 201.</summary>
    [Theory]
    [InlineData("64:ff9b:1::a9fe:a9fe", "link-local")]
    [InlineData("64:ff9b:1::a00:1", "private")]
    [InlineData("::ffff:0:127.0.0.1", "loopback")]
    [InlineData("::ffff:0:a9fe:a9fe", "link-local")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo form of 192.0.2.45")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("192.88.99.1", "6to4")]
    [InlineData("100::1", "discard")]
    [InlineData("2001:db8::1", "documentation")]
    public void The_probes_addresses_are_refused(string address, string refusal)
    {
        var got = AddressClassifier.Refusal(IPAddress.Parse(address));
        Assert.NotNull(got);
        Assert.Contains(refusal, got, StringComparison.Ordinal);
        // The development switch lets loopback through, and nothing else.
        if (refusal != "loopback")
            Assert.NotNull(AddressClassifier.Refusal(IPAddress.Parse(address), allowLoopback: true));
    }
}
