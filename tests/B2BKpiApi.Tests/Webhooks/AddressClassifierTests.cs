using System.Net;
using B2BKpiApi.Webhooks;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>The SSRF guard's table of addresses: what a webhook may never reach, and what it may.</summary>
public sealed class AddressClassifierTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("100.127.255.255", "CGNAT")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.8", "reserved")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:192.168.0.1", "private")]
    [InlineData("::ffff:100.64.1.1", "CGNAT")]
    [InlineData("::ffff:224.0.0.1", "multicast")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("::ffff:255.255.255.255", "broadcast")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("2002:c0a8:0101::1", "private")]
    [InlineData("::10.0.0.1", "IPv4-compatible")]
    public void Refuses(string address, string reason)
    {
        var refusal = AddressClassifier.Refusal(IPAddress.Parse(address));
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::5db8:d822")]
    public void Allows_public_addresses(string address) =>
        Assert.Null(AddressClassifier.Refusal(IPAddress.Parse(address)));

    [Fact]
    public void Loopback_is_allowed_only_by_the_development_switch_and_nothing_else_is()
    {
        Assert.Null(AddressClassifier.Refusal(IPAddress.Loopback, allowLoopback: true));
        Assert.Null(AddressClassifier.Refusal(IPAddress.IPv6Loopback, allowLoopback: true));
        Assert.Null(AddressClassifier.Refusal(IPAddress.Parse("::ffff:127.0.0.1"), allowLoopback: true));
        Assert.NotNull(AddressClassifier.Refusal(IPAddress.Parse("10.0.0.1"), allowLoopback: true));
        Assert.NotNull(AddressClassifier.Refusal(IPAddress.Parse("169.254.169.254"), allowLoopback: true));
    }

    [Theory]
    [InlineData("metadata.google.internal")]
    [InlineData("METADATA.GOOGLE.INTERNAL.")]
    [InlineData("metadata")]
    [InlineData("instance-data")]
    [InlineData("db.internal")]
    [InlineData("printer.local")]
    [InlineData("localhost")]
    [InlineData("api.localhost")]
    public void Refuses_internal_and_metadata_host_names(string host) =>
        Assert.NotNull(AddressClassifier.HostRefusal(host));

    [Fact]
    public void Allows_ordinary_host_names() => Assert.Null(AddressClassifier.HostRefusal("hooks.example.com"));
}
