namespace B2BKpiApi.Health;

/// <summary>
/// <c>dotnet B2BKpiApi.dll --health-probe URL</c>: the container's HEALTHCHECK, since the runtime
/// image has no curl. Exits 0 when the URL answers 2xx within three seconds.
/// </summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            return 1;
        }
    }
}
