using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// SQL Server errors mapped by number as PostgreSQL's and SQLite's are: an outage is 503 with Retry-After, a lost race
/// 409 with Retry-After, anything else is not ours to map. No SQL Server runs here, so the SqlExceptions are built
/// the way SqlClient builds them (its internal factory, through reflection) and handed to the app's exception handler.
/// </summary>
public sealed class SqlServerErrorMappingTests
{
    public static TheoryData<int> OutageNumbers => new() { -2, 53, 121, 233, 4060, 10054, 10060, 10061, 40197, 40501, 40613, 49918, 1222, 6005 };

    public static TheoryData<int> LostRaceNumbers => new() { 2601, 2627, 547, 1205, 3960 };

    public static TheoryData<int> OtherNumbers => new() { 102, 207, 208, 515, 8152, 18456, 229 };

    [Theory]
    [MemberData(nameof(OutageNumbers))]
    public async Task An_outage_number_is_answered_503_with_retry_after(int number)
    {
        Assert.True(SqlServerErrors.IsOutage(number));
        Assert.False(SqlServerErrors.IsLostRace(number));
        var error = Wrapped(SqlError(number));
        Assert.NotNull(DatabaseOutage.Cause(error));

        var (status, retryAfter, body) = await Handle(error);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal(DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), retryAfter);
        Assert.Equal(503, body["status"]!.GetValue<int>());
        Assert.DoesNotContain("SqlException", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LostRaceNumbers))]
    public void A_lost_race_number_is_a_lost_race_and_not_an_outage(int number)
    {
        Assert.True(SqlServerErrors.IsLostRace(number));
        Assert.False(SqlServerErrors.IsOutage(number));
        Assert.Null(DatabaseOutage.Cause(Wrapped(SqlError(number))));
    }

    [Theory]
    [InlineData(1205)]
    [InlineData(3960)]
    public async Task A_deadlock_victim_or_snapshot_conflict_is_answered_409_with_retry_after(int number)
    {
        var (status, retryAfter, body) = await Handle(Wrapped(SqlError(number)));
        Assert.Equal(StatusCodes.Status409Conflict, status);
        Assert.Equal("1", retryAfter);
        Assert.Contains("Send the same request again", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2601)]
    [InlineData(2627)]
    public void A_duplicate_key_is_the_unique_violation_the_handlers_answer_409(int number) =>
        Assert.True(Database.IsUniqueViolation(Wrapped(SqlError(number))));

    [Fact]
    public void A_foreign_key_conflict_is_the_violation_the_handlers_answer_409() =>
        Assert.True(Database.IsForeignKeyViolation(Wrapped(SqlError(547))));

    [Theory]
    [MemberData(nameof(OtherNumbers))]
    public async Task Any_other_number_is_left_to_the_generic_handler(int number)
    {
        Assert.False(SqlServerErrors.IsOutage(number));
        Assert.False(SqlServerErrors.IsLostRace(number));
        Assert.Null(DatabaseOutage.Cause(Wrapped(SqlError(number))));
        Assert.Null(DatabaseOutage.Conflict(Wrapped(SqlError(number))));
        var handler = NewHandler(out _);
        Assert.False(await handler.TryHandleAsync(new DefaultHttpContext(), Wrapped(SqlError(number)), CancellationToken.None));
    }

    [Fact]
    public void An_outage_in_any_of_the_errors_counts()
    {
        var exception = SqlError(8152, 10054); // a truncation reported with a dropped connection
        Assert.Equal(8152, exception.Number);
        Assert.NotNull(DatabaseOutage.Cause(exception));
    }

    private static DbUpdateException Wrapped(SqlException inner) => new("An error occurred while saving the entity changes.", inner);

    private static async Task<(int Status, string RetryAfter, JsonObject Body)> Handle(Exception exception)
    {
        var handler = NewHandler(out var services);
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.Path = "/v1/clients";
        context.Response.Body = new MemoryStream();
        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));
        context.Response.Body.Position = 0;
        var body = JsonNode.Parse(await new StreamReader(context.Response.Body).ReadToEndAsync())!.AsObject();
        return (context.Response.StatusCode, context.Response.Headers.RetryAfter.ToString(), body);
    }

    private static DatabaseOutage NewHandler(out IServiceProvider services)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddProblemDetails();
        services = collection.BuildServiceProvider();
        return new DatabaseOutage(services.GetRequiredService<IProblemDetailsService>(), NullLogger<DatabaseOutage>.Instance);
    }

    /// <summary>A SqlException carrying errors with these numbers, built as SqlClient builds one from a server's answer.</summary>
    private static SqlException SqlError(params int[] numbers)
    {
        var collection = (SqlErrorCollection)typeof(SqlErrorCollection)
            .GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes)!.Invoke(null);
        var add = typeof(SqlErrorCollection).GetMethod("Add", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var errorConstructor = typeof(SqlError).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length).First();
        foreach (var number in numbers)
        {
            var arguments = errorConstructor.GetParameters().Select((p, i) => i == 0 ? number : Default(p.ParameterType, number)).ToArray();
            add.Invoke(collection, [errorConstructor.Invoke(arguments)]);
        }
        var create = typeof(SqlException).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name == "CreateException")
            .OrderBy(m => m.GetParameters().Length)
            .First(m => m.GetParameters()[0].ParameterType == typeof(SqlErrorCollection));
        var createArguments = create.GetParameters().Select((p, i) => i == 0 ? collection : Default(p.ParameterType, 0)).ToArray();
        return (SqlException)create.Invoke(null, createArguments)!;
    }

    private static object? Default(Type type, int number) =>
        type == typeof(string) ? $"error {number}" : type.IsValueType ? Activator.CreateInstance(type) : null;
}
