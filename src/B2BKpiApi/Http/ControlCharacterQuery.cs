using B2BKpiApi.Serialization;

namespace B2BKpiApi.Http;

/// <summary>
/// A query parameter holding a C0 control character (<c>?industry=a%00b</c>) is a 400 naming the
/// parameter, before any handler can send it to the database. No query parameter is free text, so
/// none may hold tab or a line break either.
/// </summary>
public sealed class ControlCharacterQuery(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            var refused = ControlCharacters.FirstRefused(name, freeText: false);
            foreach (var value in values)
                refused ??= ControlCharacters.FirstRefused(value, freeText: false);
            if (refused is not { } c)
                continue;
            var field = ControlCharacters.FirstRefused(name, freeText: false) is null ? name : "query";
            var detail = ControlCharacters.Describe(field, c, freeText: false);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "One or more validation errors occurred.",
                    Detail = detail,
                    Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } },
                },
            });
            return;
        }
        await next(context);
    }
}
