namespace B2BKpiApi.Metrics.Aggregation;

/// <summary>
/// The periods one request reads (a scorecard's period and its previous one, or every point of a series and
/// their previous periods), laid out so that one pass over grouped rows can credit each row to every period
/// it belongs to in constant time: a table from each day to the periods containing it, and the sorted
/// "as of" days (each period's <see cref="Period.Start"/> and <see cref="Period.To"/>) for quantities that
/// hold on a day rather than during a period. Work and memory depend on the periods, never on the records.
/// </summary>
public sealed class PeriodGrid
{
    private readonly int _firstDay;
    private readonly int[][] _containing;
    private readonly int[] _days;
    private readonly int[] _startIndex;
    private readonly int[] _toIndex;
    private readonly Dictionary<Period, int> _index;

    /// <summary>Lays out <paramref name="periods"/>; duplicates are read once.</summary>
    /// <exception cref="ArgumentException">No period is given.</exception>
    public PeriodGrid(IEnumerable<Period> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        Periods = periods.Distinct().ToArray();
        if (Periods.Count == 0)
            throw new ArgumentException("At least one period is needed.", nameof(periods));

        _firstDay = Periods.Min(p => p.From.DayNumber);
        var lastDay = Periods.Max(p => p.To.DayNumber);
        var lists = new List<int>?[lastDay - _firstDay + 1];
        for (var i = 0; i < Periods.Count; i++)
            for (var day = Periods[i].From.DayNumber; day <= Periods[i].To.DayNumber; day++)
                (lists[day - _firstDay] ??= []).Add(i);
        _containing = lists.Select(l => l?.ToArray() ?? []).ToArray();

        _days = Periods.SelectMany(p => new[] { p.Start.DayNumber, p.To.DayNumber }).Distinct().Order().ToArray();
        _startIndex = Periods.Select(p => Array.BinarySearch(_days, p.Start.DayNumber)).ToArray();
        _toIndex = Periods.Select(p => Array.BinarySearch(_days, p.To.DayNumber)).ToArray();
        _index = Periods.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
    }

    /// <summary>The distinct periods, in the order first given; a period's index is its position here.</summary>
    public IReadOnlyList<Period> Periods { get; }

    /// <summary>The earliest <see cref="Period.From"/>.</summary>
    public DateOnly FirstFrom => DateOnly.FromDayNumber(_firstDay);

    /// <summary>The latest <see cref="Period.To"/>.</summary>
    public DateOnly LastTo => DateOnly.FromDayNumber(_firstDay + _containing.Length - 1);

    /// <summary>The earliest "as of" day: the day before the earliest <see cref="Period.From"/>.</summary>
    public DateOnly FirstAsOf => DateOnly.FromDayNumber(_days[0]);

    /// <summary>How many distinct "as of" days there are.</summary>
    public int AsOfCount => _days.Length;

    /// <summary>The "as of" day with index <paramref name="index"/> (ascending).</summary>
    public DateOnly AsOf(int index) => DateOnly.FromDayNumber(_days[index]);

    /// <summary>The indices of the periods that contain <paramref name="day"/> (both ends inclusive).</summary>
    public ReadOnlySpan<int> Containing(DateOnly day)
    {
        var offset = day.DayNumber - _firstDay;
        return (uint)offset < (uint)_containing.Length ? _containing[offset] : [];
    }

    /// <summary>The index of the first "as of" day on or after <paramref name="day"/> (<see cref="AsOfCount"/> when none).</summary>
    public int FirstAsOfOnOrAfter(DateOnly day) => LowerBound(_days, day.DayNumber);

    /// <summary>The "as of" index of period <paramref name="period"/>'s <see cref="Period.Start"/>.</summary>
    public int StartIndex(int period) => _startIndex[period];

    /// <summary>The "as of" index of period <paramref name="period"/>'s <see cref="Period.To"/>.</summary>
    public int ToIndex(int period) => _toIndex[period];

    /// <summary>The index of <paramref name="period"/> in <see cref="Periods"/>.</summary>
    /// <exception cref="ArgumentException">The period is not part of the grid.</exception>
    public int IndexOf(Period period) =>
        _index.TryGetValue(period, out var index) ? index
            : throw new ArgumentException($"The period {period} is not part of this grid.", nameof(period));

    internal static int LowerBound(int[] sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}

/// <summary>
/// Counts that hold on a day (clients active on it, leads still open on it), gathered as a difference array
/// over a grid's "as of" days: a row active on the days <c>[from, until)</c> costs two additions, whatever
/// the number of periods.
/// </summary>
public sealed class AsOfCounter
{
    private readonly PeriodGrid _grid;
    private readonly long[] _diff;
    private long[]? _totals;

    /// <summary>A counter over <paramref name="grid"/>'s "as of" days.</summary>
    public AsOfCounter(PeriodGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _grid = grid;
        _diff = new long[grid.AsOfCount + 1];
    }

    /// <summary>Adds <paramref name="amount"/> on every day <c>d</c> with <c>from &lt;= d</c> and (no <paramref name="until"/> or <c>d &lt; until</c>).</summary>
    public void Add(DateOnly from, DateOnly? until, long amount)
    {
        var first = _grid.FirstAsOfOnOrAfter(from);
        var end = until is { } u ? _grid.FirstAsOfOnOrAfter(u) : _grid.AsOfCount;
        if (end <= first)
            return;
        _diff[first] += amount;
        _diff[end] -= amount;
        _totals = null;
    }

    /// <summary>The total on the "as of" day with index <paramref name="asOfIndex"/>.</summary>
    public long On(int asOfIndex)
    {
        if (_totals is null)
        {
            _totals = new long[_grid.AsOfCount];
            long running = 0;
            for (var i = 0; i < _totals.Length; i++)
                _totals[i] = running += _diff[i];
        }
        return _totals[asOfIndex];
    }
}
