using B2BKpiApi.Data;
using Npgsql;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// A burst of requests must queue for a pooled connection rather than take all of PostgreSQL's default 100
/// connections (the probes' 700-request flood met "53300: too many clients" with Npgsql's default pool of 100).
/// </summary>
public sealed class PostgresPoolTests
{
    [Fact]
    public void Without_a_pool_size_the_pool_is_capped_below_the_servers_default_connection_limit()
    {
        var built = new NpgsqlConnectionStringBuilder(Database.WithBoundedPool("Host=127.0.0.1;Username=u;Password=p;Database=kpi"));
        Assert.Equal(Database.DefaultPostgresPoolSize, built.MaxPoolSize);
        Assert.True(built.MaxPoolSize < 100);
        Assert.Equal("p", built.Password);
        Assert.Equal("kpi", built.Database);
    }

    [Theory]
    [InlineData("Host=h;Maximum Pool Size=5", 5)]
    [InlineData("Host=h;MaxPoolSize=7", 7)]
    [InlineData("Host=h;maximum pool size=200", 200)]
    public void A_pool_size_in_the_connection_string_is_kept(string connectionString, int expected) =>
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(Database.WithBoundedPool(connectionString)).MaxPoolSize);
}
