using System.Runtime.InteropServices;

namespace B2BKpiApi.Metrics.Aggregation;

/// <summary>
/// Revenue recognized in every period of a grid from one pass over contract terms (same rule as
/// <see cref="Recognition.Revenue"/>), exact: money stays in integer minor units until one division per
/// term length and period. Revenue in P is <c>Rec(P.To) − Rec(P.Start)</c> where <c>Rec(d)</c> is what was
/// recognized up to and including day d. On the grid's "as of" days inside a term, <c>Rec</c> grows by
/// <c>value × (d − startsOn + 1)</c>, linear in d: each term costs two binary searches and a few additions
/// to difference arrays (one pair per term length), never one step per period or per day.
/// </summary>
public sealed class RevenueRecognizer
{
    private readonly PeriodGrid _grid;
    private readonly Int128[] _whole;
    private readonly Dictionary<int, int> _slotOfLength = [];
    private readonly List<int> _lengths = [];
    private readonly List<Int128[]> _rates = [];
    private readonly List<Int128[]> _offsets = [];
    private bool _summed;

    /// <summary>A recognizer for the periods of <paramref name="grid"/>.</summary>
    public RevenueRecognizer(PeriodGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _whole = new Int128[grid.AsOfCount + 1];
    }

    /// <summary>Adds <paramref name="valueMinor"/> (minor units) spread evenly over <c>startsOn..endsOn</c>, both inclusive.</summary>
    /// <exception cref="InvalidOperationException">Revenue was already read.</exception>
    public void Add(DateOnly startsOn, DateOnly endsOn, long valueMinor)
    {
        if (_summed)
            throw new InvalidOperationException("Every term must be added before revenue is read.");
        int start = startsOn.DayNumber, length = endsOn.DayNumber - start + 1;
        // "As of" days in [first, whole) lie inside the term before its last day; from `whole` on it counts whole.
        int first = _grid.FirstAsOfOnOrAfter(startsOn), whole = _grid.FirstAsOfOnOrAfter(endsOn);
        if (first < whole)
        {
            var slot = Slot(length);
            _rates[slot][first] += valueMinor;
            _rates[slot][whole] -= valueMinor;
            var offset = (Int128)valueMinor * (1 - start);
            _offsets[slot][first] += offset;
            _offsets[slot][whole] -= offset;
        }
        _whole[whole] += valueMinor;
    }

    /// <summary>Revenue recognized in period <paramref name="period"/> of the grid, in money (unrounded).</summary>
    public decimal Revenue(int period)
    {
        if (!_summed)
        {
            PrefixSum(_whole);
            foreach (var rates in _rates)
                PrefixSum(rates);
            foreach (var offsets in _offsets)
                PrefixSum(offsets);
            _summed = true;
        }
        int a = _grid.StartIndex(period), b = _grid.ToIndex(period);
        int dayA = _grid.AsOf(a).DayNumber, dayB = _grid.AsOf(b).DayNumber;
        var minor = (decimal)(_whole[b] - _whole[a]);
        for (var slot = 0; slot < _lengths.Count; slot++)
        {
            var rates = _rates[slot];
            var offsets = _offsets[slot];
            var partial = (rates[b] * dayB) + offsets[b] - (rates[a] * dayA) - offsets[a];
            if (partial != Int128.Zero)
                minor += (decimal)partial / _lengths[slot];
        }
        return minor / 100m;
    }

    private int Slot(int length)
    {
        if (_slotOfLength.TryGetValue(length, out var slot))
            return slot;
        _slotOfLength[length] = slot = _lengths.Count;
        _lengths.Add(length);
        _rates.Add(new Int128[_grid.AsOfCount + 1]);
        _offsets.Add(new Int128[_grid.AsOfCount + 1]);
        return slot;
    }

    private static void PrefixSum(Int128[] values)
    {
        for (var i = 1; i < values.Length; i++)
            values[i] += values[i - 1];
    }
}

/// <summary>
/// The <see cref="RevenueRecognition"/> of every period of a grid from the same pass over contract terms: for each
/// period, the contracts that overlap it, their days inside it and Σ value × days inside, per term length. Exact:
/// integer minor units and whole days, no division. One overlap test per term and period: it runs only where
/// recognized revenue is read (a KPI read or a series of it), whose periods are few.
/// </summary>
public sealed class RevenueBreakdown
{
    private readonly PeriodGrid _grid;
    private readonly Dictionary<int, (int Contracts, long Days, Int128 ValueDays)>[] _byLength;

    /// <summary>A breakdown for the periods of <paramref name="grid"/>.</summary>
    public RevenueBreakdown(PeriodGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _byLength = new Dictionary<int, (int, long, Int128)>[grid.Periods.Count];
        for (var p = 0; p < _byLength.Length; p++)
            _byLength[p] = [];
    }

    /// <summary>Adds <paramref name="contracts"/> contracts sharing the term <c>startsOn..endsOn</c>, worth <paramref name="valueMinor"/> together.</summary>
    public void Add(DateOnly startsOn, DateOnly endsOn, int contracts, long valueMinor)
    {
        int start = startsOn.DayNumber, end = endsOn.DayNumber, length = end - start + 1;
        for (var p = 0; p < _byLength.Length; p++)
        {
            var period = _grid.Periods[p];
            var inside = Math.Min(end, period.To.DayNumber) - Math.Max(start, period.From.DayNumber) + 1;
            if (inside <= 0)
                continue;
            ref var sums = ref CollectionsMarshal.GetValueRefOrAddDefault(_byLength[p], length, out _);
            sums = (sums.Contracts + contracts, sums.Days + ((long)inside * contracts), sums.ValueDays + ((Int128)valueMinor * inside));
        }
    }

    /// <summary>The breakdown of period <paramref name="period"/> of the grid.</summary>
    public RevenueRecognition Of(int period)
    {
        var terms = _byLength[period].OrderBy(kv => kv.Key)
            .Select(kv => new TermLengthRevenue(kv.Key, kv.Value.Contracts, kv.Value.Days, (decimal)kv.Value.ValueDays / 100m))
            .ToList();
        return new RevenueRecognition(terms.Sum(t => t.Contracts), terms.Sum(t => t.RecognizedDays), terms);
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
