using System.Runtime.InteropServices;

namespace B2BKpiApi.Metrics.Aggregation;

/// <summary>
/// Revenue recognized in every period of a grid from one pass over contract terms (same rule as
/// <see cref="Recognition.Revenue"/>), exact: money stays in integer minor units until one division per
/// term length and period. Revenue in P is <c>Rec(P.To) − Rec(P.Start)</c> where <c>Rec(d)</c> is what was
/// recognized up to and including day d; a term adds to <c>Rec</c> only on the grid's "as of" days inside
/// it (a binary search finds the first), and once whole on the first one after it ends. Cost: linear in
/// terms times the "as of" days each term spans, never terms times periods.
/// </summary>
public sealed class RevenueRecognizer
{
    private readonly PeriodGrid _grid;
    private readonly Int128[] _wholeDiff;
    private readonly Dictionary<int, Int128>[] _partial;
    private Int128[]? _whole;

    /// <summary>A recognizer for the periods of <paramref name="grid"/>.</summary>
    public RevenueRecognizer(PeriodGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _wholeDiff = new Int128[grid.AsOfCount + 1];
        _partial = new Dictionary<int, Int128>[grid.AsOfCount];
        for (var i = 0; i < _partial.Length; i++)
            _partial[i] = [];
    }

    /// <summary>Adds <paramref name="valueMinor"/> (minor units) spread evenly over <c>startsOn..endsOn</c>, both inclusive.</summary>
    public void Add(DateOnly startsOn, DateOnly endsOn, long valueMinor)
    {
        int start = startsOn.DayNumber, end = endsOn.DayNumber, length = end - start + 1;
        var i = _grid.FirstAsOfOnOrAfter(startsOn);
        for (; i < _grid.AsOfCount && _grid.AsOf(i).DayNumber < end; i++)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_partial[i], length, out _);
            slot += (Int128)valueMinor * (_grid.AsOf(i).DayNumber - start + 1);
        }
        _wholeDiff[i] += valueMinor;
        _whole = null;
    }

    /// <summary>Revenue recognized in period <paramref name="period"/> of the grid, in money (unrounded).</summary>
    public decimal Revenue(int period)
    {
        if (_whole is null)
        {
            _whole = new Int128[_grid.AsOfCount];
            Int128 running = 0;
            for (var i = 0; i < _whole.Length; i++)
                _whole[i] = running += _wholeDiff[i];
        }
        int a = _grid.StartIndex(period), b = _grid.ToIndex(period);
        var minor = (decimal)(_whole[b] - _whole[a]);
        var before = _partial[a];
        foreach (var (length, sum) in _partial[b])
            minor += (decimal)(sum - before.GetValueOrDefault(length)) / length;
        var after = _partial[b];
        foreach (var (length, sum) in before)
            if (!after.ContainsKey(length))
                minor -= (decimal)sum / length;
        return minor / 100m;
    }
}

/// <summary>
/// ARR (<see cref="Recognition.Arr"/>) for every period of a grid from one pass over contract terms read
/// client by client: Σ ARR(to) over the clients active on <c>to</c>, and the net-revenue-retention cohort (the
/// clients with ARR on the period's start) with its ARR on start and on <c>to</c>. Exact: values stay in
/// integer minor units per term length until the final division. Feed each client's terms with
/// <see cref="AddTerm"/>, then close the client with <see cref="EndClient"/>.
/// </summary>
public sealed class ArrAccumulator
{
    private const int DaysPerYear = 365;

    private readonly PeriodGrid _grid;
    private readonly Dictionary<int, Int128>[] _activeClients;
    private readonly Dictionary<int, Int128>[] _cohortOnDay;
    private readonly Dictionary<int, Int128>[] _cohortAtEnd;
    private readonly List<int>[] _periodsEndingOn;
    private readonly long[] _clientOnDay;
    private readonly List<(DateOnly StartsOn, DateOnly EndsOn, long Value)> _terms = [];

    /// <summary>An accumulator for the periods of <paramref name="grid"/>.</summary>
    public ArrAccumulator(PeriodGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _activeClients = NewSums(grid.AsOfCount);
        _cohortOnDay = NewSums(grid.AsOfCount);
        _cohortAtEnd = NewSums(grid.Periods.Count);
        _periodsEndingOn = Enumerable.Range(0, grid.AsOfCount).Select(_ => new List<int>()).ToArray();
        for (var p = 0; p < grid.Periods.Count; p++)
            _periodsEndingOn[grid.ToIndex(p)].Add(p);
        _clientOnDay = new long[grid.AsOfCount];
    }

    /// <summary>Adds one term of the current client (values in minor units).</summary>
    public void AddTerm(DateOnly startsOn, DateOnly endsOn, long valueMinor) => _terms.Add((startsOn, endsOn, valueMinor));

    /// <summary>Closes the current client, active from <paramref name="acquiredOn"/> until <paramref name="churnedOn"/> (exclusive).</summary>
    public void EndClient(DateOnly acquiredOn, DateOnly? churnedOn)
    {
        foreach (var (startsOn, endsOn, value) in _terms)
            for (var i = _grid.FirstAsOfOnOrAfter(startsOn); i < _grid.AsOfCount && _grid.AsOf(i) <= endsOn; i++)
                _clientOnDay[i] += value;

        foreach (var (startsOn, endsOn, value) in _terms)
        {
            var length = endsOn.DayNumber - startsOn.DayNumber + 1;
            for (var i = _grid.FirstAsOfOnOrAfter(startsOn); i < _grid.AsOfCount && _grid.AsOf(i) <= endsOn; i++)
            {
                var day = _grid.AsOf(i);
                if (acquiredOn <= day && (churnedOn is null || churnedOn > day))
                    Add(_activeClients[i], length, value);
                if (_clientOnDay[i] > 0)
                    Add(_cohortOnDay[i], length, value);
                foreach (var period in _periodsEndingOn[i])
                    if (_clientOnDay[_grid.StartIndex(period)] > 0)
                        Add(_cohortAtEnd[period], length, value);
            }
        }

        foreach (var (startsOn, endsOn, _) in _terms)
            for (var i = _grid.FirstAsOfOnOrAfter(startsOn); i < _grid.AsOfCount && _grid.AsOf(i) <= endsOn; i++)
                _clientOnDay[i] = 0;
        _terms.Clear();
    }

    /// <summary>Σ ARR(to) over the clients active on the period's <c>to</c>.</summary>
    public decimal ArrOfActiveClients(int period) => Arr(_activeClients[_grid.ToIndex(period)]);

    /// <summary>Σ ARR(start) over the clients with ARR &gt; 0 on the period's start.</summary>
    public decimal CohortArrAtStart(int period) => Arr(_cohortOnDay[_grid.StartIndex(period)]);

    /// <summary>Σ ARR(to) over the clients with ARR &gt; 0 on the period's start.</summary>
    public decimal CohortArrAtEnd(int period) => Arr(_cohortAtEnd[period]);

    private static Dictionary<int, Int128>[] NewSums(int count)
    {
        var sums = new Dictionary<int, Int128>[count];
        for (var i = 0; i < count; i++)
            sums[i] = [];
        return sums;
    }

    private static void Add(Dictionary<int, Int128> sums, int length, long value)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, length, out _);
        slot += value;
    }

    private static decimal Arr(Dictionary<int, Int128> sums)
    {
        var minor = 0m;
        foreach (var (length, sum) in sums)
            minor += (decimal)sum * DaysPerYear / length;
        return minor / 100m;
    }
}
