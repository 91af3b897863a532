using FluentValidation;

namespace B2BKpiApi.Validation;

public static class Validators
{
    /// <summary>
    /// Registers every validator of this assembly as <c>IValidator&lt;T&gt;</c> for the batch and CSV operations, which
    /// validate item by item. They are singletons, as FastEndpoints keeps them: a rule that needs the caller's
    /// tenant resolves it when it runs.
    /// </summary>
    public static IServiceCollection AddRequestValidators(this IServiceCollection services)
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNaming.Camel(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonNaming.Camel(member.Name);
        foreach (var result in AssemblyScanner.FindValidatorsInAssembly(typeof(Validators).Assembly))
            services.AddSingleton(result.InterfaceType, result.ValidatorType);
        return services;
    }
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
