namespace B2BKpiApi.Metrics.Aggregation;

/// <summary>The four roles of a buying committee (DMU); the respondent role <c>other</c> is none of them.</summary>
public enum CommitteeRole
{
    /// <summary><c>economic-buyer</c>.</summary>
    EconomicBuyer,
    /// <summary><c>technical-buyer</c>.</summary>
    TechnicalBuyer,
    /// <summary><c>user</c>.</summary>
    User,
    /// <summary><c>gatekeeper</c>.</summary>
    Gatekeeper,
}

/// <summary>
/// <see cref="RelationshipFacts"/> for every period of a grid from one pass over survey answers grouped per client,
/// committee role, day and kind, read client by client: feed a client's groups with <see cref="Add"/>, then close the
/// client with <see cref="EndClient"/>, which credits it to the periods whose <c>to</c> it is active on. Work per group
/// is one step per period containing its day; memory depends on the periods, not on the clients or answers.
/// </summary>
public sealed class CommitteeAccumulator
{
    private const int Roles = 4;

    private readonly PeriodGrid _grid;
    // The current client, per period: the roles heard (bit mask), per role its nps answers and promoters − detractors,
    // and whether an economic or technical buyer was a detractor.
    private readonly int[] _heard;
    private readonly int[] _npsAnswers;
    private readonly int[] _npsNet;
    private readonly bool[] _buyerDetractor;
    private readonly bool[] _touched;
    private readonly List<int> _touchedPeriods = [];

    private readonly int[] _rolesAnswering;
    private readonly int[] _covered;
    private readonly int[] _withBuyerDetractor;
    private readonly int[] _withTwoNpsRoles;
    private readonly decimal[] _spreadSum;

    /// <summary>An accumulator for the periods of <paramref name="grid"/>.</summary>
    public CommitteeAccumulator(PeriodGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        var n = grid.Periods.Count;
        _heard = new int[n];
        _npsAnswers = new int[n * Roles];
        _npsNet = new int[n * Roles];
        _buyerDetractor = new bool[n];
        _touched = new bool[n];
        _rolesAnswering = new int[n];
        _covered = new int[n];
        _withBuyerDetractor = new int[n];
        _withTwoNpsRoles = new int[n];
        _spreadSum = new decimal[n];
    }

    /// <summary>
    /// Adds <paramref name="answers"/> answers of the current client's <paramref name="role"/> on
    /// <paramref name="respondedOn"/>; for nps answers (<paramref name="isNps"/>) also how many were promoters (9–10)
    /// and detractors (0–6).
    /// </summary>
    public void Add(DateOnly respondedOn, CommitteeRole role, bool isNps, int answers, int promoters, int detractors)
    {
        var r = (int)role;
        foreach (var p in _grid.Containing(respondedOn))
        {
            if (!_touched[p])
            {
                _touched[p] = true;
                _touchedPeriods.Add(p);
            }
            _heard[p] |= 1 << r;
            if (!isNps)
                continue;
            _npsAnswers[(p * Roles) + r] += answers;
            _npsNet[(p * Roles) + r] += promoters - detractors;
            if (detractors > 0 && role is CommitteeRole.EconomicBuyer or CommitteeRole.TechnicalBuyer)
                _buyerDetractor[p] = true;
        }
    }

    /// <summary>Closes the current client, active from <paramref name="acquiredOn"/> until <paramref name="churnedOn"/> (exclusive).</summary>
    public void EndClient(DateOnly acquiredOn, DateOnly? churnedOn)
    {
        foreach (var p in _touchedPeriods)
        {
            var to = _grid.Periods[p].To;
            if (acquiredOn <= to && (churnedOn is null || churnedOn > to))
                Credit(p);
            _heard[p] = 0;
            _buyerDetractor[p] = false;
            _touched[p] = false;
            Array.Clear(_npsAnswers, p * Roles, Roles);
            Array.Clear(_npsNet, p * Roles, Roles);
        }
        _touchedPeriods.Clear();
    }

    /// <summary>The relationship facts of period <paramref name="period"/> of the grid.</summary>
    public RelationshipFacts Facts(int period) => new(
        _rolesAnswering[period], _covered[period], _withBuyerDetractor[period], _withTwoNpsRoles[period], _spreadSum[period]);

    private void Credit(int p)
    {
        var heard = _heard[p];
        var roles = System.Numerics.BitOperations.PopCount((uint)heard);
        _rolesAnswering[p] += roles;
        if ((heard & (1 << (int)CommitteeRole.EconomicBuyer)) != 0 && roles >= 2)
            _covered[p]++;
        if (_buyerDetractor[p])
            _withBuyerDetractor[p]++;

        decimal? highest = null, lowest = null;
        var npsRoles = 0;
        for (var r = 0; r < Roles; r++)
        {
            var answers = _npsAnswers[(p * Roles) + r];
            if (answers == 0)
                continue;
            npsRoles++;
            var nps = _npsNet[(p * Roles) + r] * 100m / answers;
            highest = highest is { } h && h >= nps ? h : nps;
            lowest = lowest is { } l && l <= nps ? l : nps;
        }
        if (npsRoles < 2)
            return;
        _withTwoNpsRoles[p]++;
        _spreadSum[p] += highest!.Value - lowest!.Value;
    }
}
