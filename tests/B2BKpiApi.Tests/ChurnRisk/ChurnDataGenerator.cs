using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using B2BKpiApi.Data;
using B2BKpiApi.Features.ChurnRisk;

namespace B2BKpiApi.Tests.ChurnRisk;

/// <summary>
/// The C# copy of bench/gen_churn.py, draw for draw (same SplitMix64 stream, same order of draws, integer and exact
/// double arithmetic only), so that it makes the very same rows; <see cref="ChurnGeneratorParityTests"/> compares
/// the SHA-256 of the canonical rows with the script's. Change one, change the other.
/// </summary>
public static class ChurnDataGenerator
{
    public const ulong Seed = 20261204;
    public const int Clients = 400;
    public static readonly DateOnly Start = new(2021, 1, 1);
    public static readonly DateOnly End = new(2025, 12, 31);
    private static readonly string[] Roles = ["economic-buyer", "technical-buyer", "user", "gatekeeper"];
    private static readonly int[] RolePresence = [85, 70, 90, 40];
    private static readonly int[] Terms = [182, 182, 365, 365];

    public sealed record GenClient(string ExternalId, string Name, DateOnly AcquiredOn, DateOnly? ChurnedOn);
    public sealed record GenContract(string ExternalId, string Client, DateOnly SignedOn, DateOnly StartsOn, DateOnly EndsOn, long ValueMinor, string Kind);
    public sealed record GenSurvey(string ExternalId, string Kind, int Score, DateOnly RespondedOn, string Client, string Role);
    public sealed record Data(List<GenClient> Clients, List<GenContract> Contracts, List<GenSurvey> Surveys);

    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            unchecked
            {
                _state += 0x9E3779B97F4A7C15UL;
                var z = _state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }

        public double Uniform() => (Next() >> 11) * (1.0 / 9007199254740992.0);

        public int Below(int n) => (int)(Next() % (ulong)n);
    }

    public static Data Generate(int clients = Clients, ulong seed = Seed)
    {
        var r = new SplitMix64(seed);
        var outClients = new List<GenClient>();
        var outContracts = new List<GenContract>();
        var outSurveys = new List<GenSurvey>();
        var surveyNo = 0;
        for (var i = 0; i < clients; i++)
        {
            var cid = $"c{i:0000}";
            var acquired = Start.AddDays(r.Below(3 * 365));
            var present = new bool[Roles.Length];
            for (var k = 0; k < Roles.Length; k++)
                present[k] = r.Below(100) < RolePresence[k];
            var hasOther = r.Below(100) < 30;
            long annual = (5_000 + r.Below(95_001)) * 100L;
            DateOnly start = acquired, signed = acquired;
            var kind = "new";
            var shrank = false;
            DateOnly? churned = null;
            var termNo = 0;
            while (start <= End)
            {
                var term = Terms[r.Below(Terms.Length)];
                var end = start.AddDays(term - 1);
                outContracts.Add(new GenContract($"{cid}-k{termNo}", cid, signed, start, end, annual * term / 365, kind));
                var ebDetractor = r.Uniform() < 0.25;
                var detractor = new bool[Roles.Length];
                detractor[0] = ebDetractor;
                for (var k = 1; k < Roles.Length; k++)
                    detractor[k] = r.Uniform() < 0.2;
                var silent = new bool[Roles.Length];
                for (var k = 1; k < Roles.Length; k++)
                    silent[k] = r.Uniform() < 0.15;
                for (var k = 0; k < Roles.Length; k++)
                {
                    if (!present[k])
                        continue;
                    var day = start.AddDays(45 + r.Below(30));
                    while (day <= end && day <= End)
                    {
                        if (silent[k] && day.DayNumber - start.DayNumber > 90)
                            break;
                        int score;
                        if (r.Uniform() < 0.1)
                            score = r.Below(11);
                        else if (detractor[k])
                            score = r.Below(7);
                        else
                            score = 7 + r.Below(4);
                        outSurveys.Add(new GenSurvey($"s{surveyNo:000000}", "nps", score, day, cid, Roles[k]));
                        surveyNo++;
                        if (r.Uniform() < 0.5)
                        {
                            var csat = detractor[k] ? 1 + r.Below(3) : 3 + r.Below(3);
                            outSurveys.Add(new GenSurvey($"s{surveyNo:000000}", "csat", csat, day, cid, Roles[k]));
                            surveyNo++;
                        }
                        day = day.AddDays(80 + r.Below(20));
                    }
                }
                if (hasOther && r.Uniform() < 0.5)
                {
                    var day = start.AddDays(r.Below(term));
                    if (day <= End)
                    {
                        outSurveys.Add(new GenSurvey($"s{surveyNo:000000}", "nps", r.Below(11), day, cid, "other"));
                        surveyNo++;
                    }
                }
                if (end >= End)
                    break;
                var silentCount = Math.Min(2, Enumerable.Range(0, Roles.Length).Count(k => present[k] && silent[k]));
                var otherDetractor = Enumerable.Range(1, Roles.Length - 1).Any(k => present[k] && detractor[k]);
                var p = 0.02;
                if (present[0] && ebDetractor)
                    p = p + 0.45;
                p = p + 0.2 * silentCount;
                if (shrank)
                    p = p + 0.3;
                if (otherDetractor)
                    p = p + 0.10;
                if (r.Uniform() < p)
                {
                    churned = end.AddDays(1);
                    break;
                }
                shrank = r.Uniform() < 0.25;
                var factor = shrank ? 60 + r.Below(26) : 100 + r.Below(21);
                annual = annual * factor / 100;
                signed = end.AddDays(r.Below(41) - 30);
                start = end.AddDays(1);
                kind = "renewal";
                termNo++;
            }
            outClients.Add(new GenClient(cid, $"Client {i:0000}", acquired, churned));
        }
        return new Data(outClients, outContracts, outSurveys);
    }

    public static IEnumerable<string> CanonicalLines(Data data)
    {
        foreach (var c in data.Clients)
            yield return $"client|{c.ExternalId}|{c.Name}|{Iso(c.AcquiredOn)}|{(c.ChurnedOn is { } d ? Iso(d) : "")}";
        foreach (var k in data.Contracts)
            yield return $"contract|{k.ExternalId}|{k.Client}|{Iso(k.SignedOn)}|{Iso(k.StartsOn)}|{Iso(k.EndsOn)}|{k.ValueMinor.ToString(CultureInfo.InvariantCulture)}|{k.Kind}";
        foreach (var s in data.Surveys)
            yield return $"survey|{s.ExternalId}|{s.Kind}|{s.Score.ToString(CultureInfo.InvariantCulture)}|{Iso(s.RespondedOn)}|{s.Client}|{s.Role}";
    }

    public static string Digest(Data data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in CanonicalLines(data))
            sha.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static RespondentRole RoleOf(string role) => role switch
    {
        "economic-buyer" => RespondentRole.EconomicBuyer,
        "technical-buyer" => RespondentRole.TechnicalBuyer,
        "user" => RespondentRole.User,
        "gatekeeper" => RespondentRole.Gatekeeper,
        _ => RespondentRole.Other,
    };

    /// <summary>The data as the churn features see it; client ids are derived from the external ids (stable across runs).</summary>
    public static IReadOnlyList<ClientHistory> Histories(Data data)
    {
        var ids = data.Clients.ToDictionary(c => c.ExternalId, c => IdOf(c.ExternalId));
        return ClientHistory.Group(
            data.Clients.Select(c => new ChurnClient(ids[c.ExternalId], c.Name, c.AcquiredOn, c.ChurnedOn)),
            data.Contracts.Select(k => new ChurnContract(ids[k.Client], k.SignedOn, k.StartsOn, k.EndsOn, k.ValueMinor)),
            data.Surveys.Select(s => new ChurnAnswer(ids[s.Client], s.Kind == "nps" ? SurveyKind.Nps : SurveyKind.Csat, s.Score, s.RespondedOn, RoleOf(s.Role))));
    }

    public static Guid IdOf(string externalId) => new(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)).AsSpan(0, 16));
}
