using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Tenancy;

public sealed class AuthOptions
{
    public string? AdminApiKey { get; set; }
}

/// <summary>Endpoint metadata: the caller must present a tenant key, which decides the tenant.</summary>
public sealed class TenantKeyRequired;

/// <summary>Endpoint metadata: the caller must present the operator key; a tenant key is refused.</summary>
public sealed class OperatorKeyRequired;

public static class Auth
{
    public const string Header = "X-Api-Key";
}

/// <summary>
/// Resolves who is calling from <c>X-Api-Key</c> before the body is read, for the endpoints that ask
/// for it through metadata. This is the only place a request gets a tenant: the DbContext's query
/// filters then scope every query to it.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next)
{

    // Runs on every tenant request, cached KPI answers included (it also reads the data version that
    // keys them): compiled, so a request skips EF's query cache lookup. A compiled query is bound to the
    // model it first ran with, so there is one per model (one per provider when tests run several).
    private static readonly ConditionalWeakTable<IModel, Func<KpiDbContext, string, CancellationToken, Task<TenantKeyCache.Owner?>>> FindKeyByModel = new();

    private static Task<TenantKeyCache.Owner?> FindKey(KpiDbContext db, string keyId, CancellationToken ct) =>
        FindKeyByModel.GetValue(db.Model, static _ => EF.CompileAsyncQuery((KpiDbContext db, string keyId, CancellationToken ct) =>
            db.Tenants.AsNoTracking()
                .Where(t => t.ApiKeyId == keyId)
                .Select(t => new TenantKeyCache.Owner(t.Id, t.ApiKeyHash, t.Currency, t.Industry, t.DataVersion))
                .SingleOrDefault()))(db, keyId, ct);

    public async Task InvokeAsync(HttpContext context, TenantContext tenant, TenantKeyCache keys, IOptions<AuthOptions> auth,
        IProblemDetailsService problems)
    {
        var endpoint = context.GetEndpoint();
        var presented = context.Request.Headers[Auth.Header].ToString();
        string? refusal = null;
        var status = StatusCodes.Status401Unauthorized;

        if (endpoint?.Metadata.GetMetadata<OperatorKeyRequired>() is not null)
        {
            if (string.IsNullOrEmpty(auth.Value.AdminApiKey))
                refusal = "Operator routes are disabled: Auth:AdminApiKey is not configured.";
            else if (presented.Length == 0)
                refusal = "The X-Api-Key header is missing.";
            else if (!ApiKeys.AdminKeyMatches(presented, auth.Value.AdminApiKey))
                (refusal, status) = ApiKeys.TryParse(presented, out _, out _)
                    ? ("This route needs the operator key; a tenant key cannot use it.", StatusCodes.Status403Forbidden)
                    : ("The API key is not valid.", StatusCodes.Status401Unauthorized);
        }
        else if (endpoint?.Metadata.GetMetadata<TenantKeyRequired>() is not null)
        {
            if (presented.Length == 0)
                refusal = "The X-Api-Key header is missing.";
            else if (ApiKeys.AdminKeyMatches(presented, auth.Value.AdminApiKey))
                refusal = Tenancy.OperatorKey.OnTenantRoute;
            else if (!ApiKeys.TryParse(presented, out var keyId, out var secret))
                refusal = "The API key is not valid.";
            else
            {
                // From memory while fresh (TenantKeyCache: dropped on any change of the tenant, at most a second old),
                // else from the database.
                if (!keys.TryGet(keyId, out var found))
                {
                    var epoch = keys.Begin();
                    found = await FindKey(context.RequestServices.GetRequiredService<KpiDbContext>(), keyId, context.RequestAborted);
                    if (found is not null)
                        keys.Store(keyId, found, epoch);
                }
                if (found is null || !ApiKeys.Matches(secret, found.ApiKeyHash))
                    refusal = "The API key is not valid.";
                else
                    tenant.Resolve(found.Id, found.Currency, found.Industry, found.DataVersion);
            }
        }

        if (refusal is null)
        {
            await next(context);
            return;
        }
        if (status == StatusCodes.Status401Unauthorized && refusal != Tenancy.OperatorKey.OnTenantRoute
            && await context.RequestServices.GetRequiredService<Tenancy.AuthFailureLimiter>().RefuseIfOverLimitAsync(context, problems))
            return;
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
            context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{Auth.Header}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = status,
                Title = status == StatusCodes.Status403Forbidden ? "Forbidden" : "Unauthorized",
                Detail = refusal,
            },
        });
    }
}
