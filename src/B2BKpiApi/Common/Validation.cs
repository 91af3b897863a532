using FluentValidation;

namespace B2BKpiApi.Common;

public static class Validation
{
    /// <summary>Registers every FluentValidation validator of this assembly (the DI extensions package is not served).</summary>
    public static IServiceCollection AddRequestValidators(this IServiceCollection services)
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNaming.Camel(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonNaming.Camel(member.Name);
        foreach (var result in AssemblyScanner.FindValidatorsInAssembly(typeof(Validation).Assembly))
            services.AddScoped(result.InterfaceType, result.ValidatorType);
        return services;
    }

    /// <summary>Validates the <typeparamref name="T"/> argument before the handler runs: every failing field in one 400 problem.</summary>
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) where T : class =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var argument = context.Arguments.OfType<T>().FirstOrDefault();
            if (argument is null)
                return Problems.Invalid("$", "The request body is missing.");
            var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
            var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
            return result.IsValid ? await next(context) : Problems.Invalid(result.ToDictionary());
        }).ProducesValidationProblem();
}

public static class JsonNaming
{
    public static string Camel(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);
}

public static class ResourceRules
{
    public static IRuleBuilderOptions<T, string?> ExternalId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(id => id is null || (id.Length is > 0 and <= 100 && id.Trim() == id))
            .WithMessage("'externalId' must be 1–100 characters with no leading or trailing spaces.");
}
