using B2BKpiApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace B2BKpiApi.Features.Resources;

/// <summary>
/// Strong entity tags of single records (RFC 9110 §8.8.3) and the <c>If-Match</c> precondition of PUT and DELETE.
/// The tag is the record's id and its <c>Version</c>, which every stored change raises: equal tags mean the same
/// stored record at the same revision, whoever wrote it.
/// </summary>
public static class EntityTags
{
    public const string IfMatchDescription =
        "Optional. The ETag of the record as last read (or `*` for any existing record): when the record has changed " +
        "since, nothing is written and the answer is 412. Without it, the last writer wins.";

    public static string For(TenantOwned record) => For(record.Id, record.Version);

    /// <summary>The strong tag of any stored row that has an id and a version its owner's changes raise (records, settings).</summary>
    public static string For(Guid id, int version) =>
        $"\"{id.ToString("N", System.Globalization.CultureInfo.InvariantCulture)}-{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    public static void Stamp(HttpResponse response, TenantOwned record) => response.Headers.ETag = For(record);

    /// <summary>
    /// Null when the request may go on (no If-Match, <c>*</c>, or a tag that matches strongly); otherwise the 412 to answer.
    /// A weak or unreadable tag never matches: If-Match compares strongly.
    /// </summary>
    public static ProblemHttpResult? Precondition(HttpRequest request, TenantOwned current) =>
        Precondition(request, For(current), "record");

    /// <summary>The If-Match precondition against <paramref name="currentTag"/>; <paramref name="noun"/> names the thing in the 412's detail.</summary>
    public static ProblemHttpResult? Precondition(HttpRequest request, string currentTag, string noun)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0)
            return null;
        if (EntityTagHeaderValue.TryParseList(values, out var tags)
            && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || (!t.IsWeak && t.Tag.Equals(currentTag, StringComparison.Ordinal))))
            return null;
        return TypedResults.Problem(
            $"The {noun} changed since the ETag in If-Match was read (or the If-Match value is not a strong ETag of this {noun}); " +
            $"nothing was written. Read the {noun} again, then retry with its current ETag.",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition Failed",
            type: "https://tools.ietf.org/html/rfc9110#section-15.5.13");
    }
}
