using B2BKpiApi.Client.Tests.Infrastructure;

namespace B2BKpiApi.Client.Tests;

/// <summary>
/// A partner's session end to end: only the generated <see cref="KpiApiClient"/> over a plain
/// HttpClient, against the real API listening on 127.0.0.1. Each test makes its own tenant.
/// </summary>
public sealed class PartnerSessionTests(KestrelApiServer server) : IClassFixture<KestrelApiServer>
{
    private static readonly DateOnly Q1From = new(2025, 1, 1);
    private static readonly DateOnly Q1To = new(2025, 3, 31);

    [Fact]
    public async Task The_server_listens_on_a_real_loopback_port()
    {
        Assert.Equal("http", server.BaseAddress.Scheme);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);

        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var catalog = await new KpiApiClient(http).ListKpisAsync();

        Assert.Equal(Enum.GetValues<KpiId>().Length, catalog.Items.Count);
    }

    [Fact]
    public async Task An_alert_rule_created_without_enabled_or_to_date_takes_their_defaults()
    {
        // The API refuses null for these two (issue 18, item 5); the client leaves an unset property out instead of sending null.
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var rule = await new KpiApiClient(http).CreateAlertAsync(new AlertRuleRequest
        {
            Name = "Too many new clients", KpiId = "new-clients", Window = AlertWindow.Month,
            Condition = new AlertConditionRequest { Type = AlertConditionType.Above, Threshold = 5 },
        });
        Assert.True(rule.Enabled);
        Assert.False(rule.ToDate);
    }

    [Fact]
    public async Task Every_record_kind_pushed_through_the_client_reads_back_with_exact_money_and_dates()
    {
        var tenant = await server.CreateTenantAsync();
        Assert.StartsWith("kpi_", tenant.ApiKey, StringComparison.Ordinal);
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);

        var client = await api.CreateClientAsync(new ClientRequest
        {
            ExternalId = "crm-0042", Name = "Globex GmbH", AcquiredOn = new DateOnly(2025, 1, 15), Industry = "manufacturing",
            Segment = "enterprise",
        });
        var contract = await api.CreateContractAsync(new ContractRequest
        {
            ExternalId = "inv-2025-001", ClientId = client.Id, SignedOn = new DateOnly(2025, 1, 10), StartsOn = new DateOnly(2025, 2, 1),
            EndsOn = new DateOnly(2026, 1, 31), Value = 1_000_000.07m, Currency = "USD", Kind = ContractKind.Expansion,
        });
        var survey = await api.CreateSurveyAsync(new SurveyRequest
        {
            ExternalId = "typeform-77", Kind = SurveyKind.Nps, Score = 9, RespondedOn = new DateOnly(2025, 3, 15), ClientId = client.Id,
            RespondentRole = RespondentRole.EconomicBuyer,
        });
        var cost = await api.CreateCostAsync(new CostRequest
        {
            ExternalId = "gl-5521", Category = CostCategory.DirectLabor, Amount = 0.01m, Currency = "USD", IncurredOn = new DateOnly(2025, 2, 28),
        });
        var wonLead = await api.CreateLeadAsync(new LeadRequest
        {
            ExternalId = "hs-deal-981", CreatedOn = new DateOnly(2025, 1, 5), QualifiedOn = new DateOnly(2025, 1, 12),
            OpportunityOn = new DateOnly(2025, 1, 20), ClosedOn = new DateOnly(2025, 3, 2), Outcome = LeadOutcome.Won, DealValue = 18_000.55m,
            Currency = "USD", Source = "webinar",
        });
        var openLead = await api.CreateLeadAsync(new LeadRequest { CreatedOn = new DateOnly(2025, 2, 28), Source = "fair" });

        var readClient = await api.GetClientAsync(client.Id);
        Assert.Equal("crm-0042", readClient.ExternalId);
        Assert.Equal("Globex GmbH", readClient.Name);
        Assert.Equal(new DateOnly(2025, 1, 15), readClient.AcquiredOn);
        Assert.Null(readClient.ChurnedOn);
        Assert.Equal("enterprise", readClient.Segment);
        Assert.Equal(TimeSpan.Zero, readClient.CreatedAt.Offset);

        var readContract = await api.GetContractAsync(contract.Id);
        Assert.Equal(client.Id, readContract.ClientId);
        Assert.Equal(1_000_000.07m, readContract.Value);
        Assert.Equal(new DateOnly(2025, 1, 10), readContract.SignedOn);
        Assert.Equal(new DateOnly(2025, 2, 1), readContract.StartsOn);
        Assert.Equal(new DateOnly(2026, 1, 31), readContract.EndsOn);
        Assert.Equal(ContractKind.Expansion, readContract.Kind);
        Assert.Equal("USD", readContract.Currency);

        var readSurvey = await api.GetSurveyAsync(survey.Id);
        Assert.Equal(SurveyKind.Nps, readSurvey.Kind);
        Assert.Equal(9, readSurvey.Score);
        Assert.Equal(new DateOnly(2025, 3, 15), readSurvey.RespondedOn);
        Assert.Equal(client.Id, readSurvey.ClientId);
        Assert.Equal(RespondentRole.EconomicBuyer, readSurvey.RespondentRole);

        var readCost = await api.GetCostAsync(cost.Id);
        Assert.Equal(CostCategory.DirectLabor, readCost.Category); // "direct-labor" on the wire
        Assert.Equal(0.01m, readCost.Amount);
        Assert.Equal(new DateOnly(2025, 2, 28), readCost.IncurredOn);

        var readWon = await api.GetLeadAsync(wonLead.Id);
        Assert.Equal(LeadOutcome.Won, readWon.Outcome);
        Assert.Equal(18_000.55m, readWon.DealValue);
        Assert.Equal(new DateOnly(2025, 3, 2), readWon.ClosedOn);
        Assert.Equal("webinar", readWon.Source);

        var readOpen = await api.GetLeadAsync(openLead.Id);
        Assert.Null(readOpen.Outcome);
        Assert.Null(readOpen.DealValue);
        Assert.Null(readOpen.ClosedOn);
        Assert.Equal(new DateOnly(2025, 2, 28), readOpen.CreatedOn);
    }

    [Fact]
    public async Task A_batch_upsert_sent_twice_creates_nothing_the_second_time()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);
        var batch = new CostRequestBatchRequest
        {
            Items =
            [
                new CostRequest { ExternalId = "gl-1", Category = CostCategory.Marketing, Amount = 1_200.50m, Currency = "USD", IncurredOn = new DateOnly(2025, 3, 1) },
                new CostRequest { ExternalId = "gl-2", Category = CostCategory.Sales, Amount = 99.99m, Currency = "USD", IncurredOn = new DateOnly(2025, 3, 2) },
                new CostRequest { ExternalId = "gl-3", Category = CostCategory.Cogs, Amount = 0.10m, Currency = "USD", IncurredOn = new DateOnly(2025, 3, 3) },
            ],
        };

        var first = await api.BatchUpsertCostsAsync(batch);
        var second = await api.BatchUpsertCostsAsync(batch);

        Assert.Equal((3, 0), (first.Created, first.Updated));
        Assert.Equal((0, 3), (second.Created, second.Updated));
        Assert.Equal(first.Items.Select(c => c.Id), second.Items.Select(c => c.Id));
        var stored = await api.ListCostsAsync();
        Assert.Null(stored.NextCursor);
        Assert.Equal([1_200.50m, 99.99m, 0.10m], stored.Items.OrderBy(c => c.ExternalId, StringComparer.Ordinal).Select(c => c.Amount));
    }

    [Fact]
    public async Task Clients_are_listed_page_by_page_with_the_cursor()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);
        var created = new List<Guid>();
        for (var i = 1; i <= 5; i++)
        {
            var client = await api.CreateClientAsync(new ClientRequest
            {
                ExternalId = $"crm-{i}", Name = $"Client {i}", AcquiredOn = new DateOnly(2025, 1, i),
            });
            created.Add(client.Id);
        }

        var pages = new List<IList<ClientResponse>>();
        string? cursor = null;
        do
        {
            var page = await api.ListClientsAsync(limit: 2, cursor: cursor);
            pages.Add(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 10);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));
        Assert.Equal(created.Order(), pages.SelectMany(p => p).Select(c => c.Id).Order());

        // from/to are DateOnly on the wire too: YYYY-MM-DD, both inclusive.
        var window = await api.ListClientsAsync(from: new DateOnly(2025, 1, 2), to: new DateOnly(2025, 1, 3));
        Assert.Equal(["crm-2", "crm-3"], window.Items.Select(c => c.ExternalId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Revenue_series_and_scorecard_match_the_hand_computed_values()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);
        var client = await api.CreateClientAsync(new ClientRequest { Name = "Globex GmbH", AcquiredOn = new DateOnly(2025, 1, 15) });
        // 24,000 over a 365-day term, 59 of its days (Feb + Mar) in Q1: 24000 × 59 / 365 = 3879.452054...
        await api.CreateContractAsync(new ContractRequest
        {
            ClientId = client.Id, SignedOn = new DateOnly(2025, 1, 10), StartsOn = new DateOnly(2025, 2, 1), EndsOn = new DateOnly(2026, 1, 31),
            Value = 24_000m, Currency = "USD", Kind = ContractKind.New,
        });
        // 1,000.01 over March only, all of it in Q1.
        await api.CreateContractAsync(new ContractRequest
        {
            ClientId = client.Id, SignedOn = new DateOnly(2025, 2, 20), StartsOn = new DateOnly(2025, 3, 1), EndsOn = new DateOnly(2025, 3, 31),
            Value = 1_000.01m, Currency = "USD", Kind = ContractKind.Expansion,
        });

        var revenue = await api.GetKpiAsync(KpiId.Revenue, Q1From, Q1To);

        Assert.Equal("revenue", revenue.Kpi);
        Assert.Equal(4_879.46m, revenue.Value); // 3879.452054... + 1000.01, rounded once, half away from zero
        Assert.Null(revenue.Reason);
        Assert.Equal("money", revenue.Unit);
        Assert.Equal("USD", revenue.Currency);
        Assert.Equal((Q1From, Q1To), (revenue.Period.From, revenue.Period.To));
        Assert.Equal(0m, revenue.Previous.Value); // nothing was recognized in Q4 2024

        // Per month: January 0; February 24000 × 28 / 365; March 24000 × 31 / 365 + 1000.01.
        var series = await api.GetKpiSeriesAsync(KpiId.Revenue, Q1From, Q1To, SeriesInterval.Month);
        Assert.Equal([new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 1), new DateOnly(2025, 3, 1)], series.Points.Select(p => p.Period.From));
        Assert.Equal([0m, 1_841.10m, 3_038.37m], series.Points.Select(p => p.Value));

        var scorecard = await api.GetScorecardAsync(Q1From, Q1To);
        Assert.Equal("USD", scorecard.Currency);
        Assert.Equal("manufacturing", scorecard.Industry);
        Assert.Equal(["customer", "financial", "internal-process", "learning-growth"], scorecard.Perspectives.Select(p => p.Perspective).Order(StringComparer.Ordinal));
        var kpis = scorecard.Perspectives.SelectMany(p => p.Kpis).ToList();
        Assert.Equal(Enum.GetValues<KpiId>().Length, kpis.Count);
        Assert.Equal(4_879.46m, kpis.Single(k => k.Kpi == "revenue").Value);
        Assert.Equal(1m, kpis.Single(k => k.Kpi == "active-clients").Value);
        Assert.All(kpis, k => Assert.Equal(k.Value is null, k.Reason is not null));
    }

    [Fact]
    public async Task Compare_goes_through_the_generated_client_and_the_comparison_comes_back_typed()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);
        var client = await api.CreateClientAsync(new ClientRequest { Name = "Initech", AcquiredOn = new DateOnly(2024, 1, 1) });
        // 36,500 over the 365 days of 2025: 100 a day, so March is 3,100 and February 2,800.
        await api.CreateContractAsync(new ContractRequest
        {
            ClientId = client.Id, SignedOn = new DateOnly(2024, 12, 1), StartsOn = new DateOnly(2025, 1, 1), EndsOn = new DateOnly(2025, 12, 31),
            Value = 36_500m, Currency = "USD", Kind = ContractKind.New,
        });
        DateOnly march = new(2025, 3, 1), marchEnd = new(2025, 3, 31);

        var plain = await api.GetKpiAsync(KpiId.Revenue, march, marchEnd);
        Assert.Null(plain.Comparison); // no compare: the answer is what it always was
        Assert.Equal(new DateOnly(2025, 1, 29), plain.Previous.Period.From); // the 31 days before March

        var calendar = await api.GetKpiAsync(KpiId.Revenue, march, marchEnd, compare: CompareWith.PreviousPeriod);
        Assert.Equal(ComparisonBasis.Calendar, calendar.Comparison!.Basis);
        Assert.Equal((new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 28)), (calendar.Comparison.From, calendar.Comparison.To));
        Assert.Equal((3_100m, 2_800m, 300m), (calendar.Value, calendar.Previous.Value, calendar.Change));

        var none = await api.GetScorecardAsync(march, marchEnd, compare: CompareWith.None);
        Assert.All(none.Perspectives.SelectMany(p => p.Kpis), k =>
        {
            Assert.Equal(ComparisonBasis.None, k.Comparison!.Basis);
            Assert.Null(k.Change);
        });
    }

    [Fact]
    public async Task A_validation_error_is_an_ApiException_with_status_400_naming_the_fields()
    {
        var tenant = await server.CreateTenantAsync();
        using var http = server.Connect(tenant.ApiKey);
        var api = new KpiApiClient(http);

        var error = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => api.CreateClientAsync(new ClientRequest
        {
            Name = "", AcquiredOn = new DateOnly(2025, 3, 1), ChurnedOn = new DateOnly(2025, 2, 1),
        }));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(400, error.Result.Status);
        Assert.Contains("name", error.Result.Errors.Keys);
        Assert.Contains("churnedOn", error.Result.Errors.Keys);
        Assert.Contains("traceId", error.Result.AdditionalProperties.Keys);
        Assert.Contains("\"errors\"", error.Response, StringComparison.Ordinal); // the raw body is there too
        Assert.Equal(["application/problem+json"], error.Headers["Content-Type"]);

        // Nothing was stored.
        Assert.Empty((await api.ListClientsAsync()).Items);

        // A reversed KPI period is refused the same way.
        var period = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => api.GetKpiAsync(KpiId.Revenue, Q1To, Q1From));
        Assert.Equal(400, period.StatusCode);
        Assert.Contains("to", period.Result.Errors.Keys);
    }

    [Fact]
    public async Task Another_tenants_id_is_a_404_ApiException_and_changes_nothing()
    {
        var owner = await server.CreateTenantAsync();
        var other = await server.CreateTenantAsync();
        using var ownerHttp = server.Connect(owner.ApiKey);
        using var otherHttp = server.Connect(other.ApiKey);
        var ownerApi = new KpiApiClient(ownerHttp);
        var otherApi = new KpiApiClient(otherHttp);
        var client = await ownerApi.CreateClientAsync(new ClientRequest { Name = "Globex GmbH", AcquiredOn = new DateOnly(2025, 1, 15) });

        var read = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => otherApi.GetClientAsync(client.Id));
        var replace = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => otherApi.ReplaceClientAsync(client.Id,
            new ClientRequest { Name = "Stolen", AcquiredOn = new DateOnly(2025, 1, 15) }));
        var delete = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => otherApi.DeleteClientAsync(client.Id));

        Assert.All([read, replace, delete], e => Assert.Equal(404, e.StatusCode));
        Assert.Equal(404, read.Result.Status);
        Assert.Equal("Globex GmbH", (await ownerApi.GetClientAsync(client.Id)).Name);
    }

    [Fact]
    public async Task The_key_decides_access_401_without_one_403_for_a_tenant_key_on_operator_routes()
    {
        var tenant = await server.CreateTenantAsync();
        using var anonymousHttp = server.Connect(apiKey: null);
        using var tenantHttp = server.Connect(tenant.ApiKey);

        var anonymous = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => new KpiApiClient(anonymousHttp).ListClientsAsync());
        var forbidden = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => new KpiApiClient(tenantHttp).CreateTenantAsync(
            new CreateTenantRequest { Name = "Intruder", Industry = "software", Currency = "USD" }));

        Assert.Equal(401, anonymous.StatusCode);
        Assert.Equal(403, forbidden.StatusCode);
    }
}
