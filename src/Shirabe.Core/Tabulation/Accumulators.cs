using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// Running totals for one item while responses stream by: integers only (and exact decimals for splits),
/// so the tables built at the end are exact whatever the number of rows. Not thread-safe; one per pass.
/// </summary>
internal abstract class ItemAccumulator(Item item)
{
    public Item Item { get; } = item;
    protected long NotAsked;
    protected long NoAnswer;
    protected long Given;

    public void Add(in Answer answer, string respondent)
    {
        switch (answer.State)
        {
            case AnswerState.NotAsked: NotAsked++; break;
            case AnswerState.NoAnswer: NoAnswer++; break;
            default: Given++; AddGiven(answer, respondent); break;
        }
    }

    /// <summary>The item's cell of a row of the fast path (<see cref="ResponsesCsv.TryReadClean"/>).</summary>
    public void Add(CleanRow row, int index)
    {
        switch (row.States[index])
        {
            case AnswerState.NotAsked: NotAsked++; break;
            case AnswerState.NoAnswer: NoAnswer++; break;
            default: Given++; AddGiven(row, index); break;
        }
    }

    protected abstract void AddGiven(in Answer answer, string respondent);

    protected abstract void AddGiven(CleanRow row, int index);

    /// <summary>The base: asked respondents, 無回答 included.</summary>
    protected long N => Given + NoAnswer;

    public abstract ItemTable Result();

    /// <summary>Adds the totals of <paramref name="other"/> (same item, responses that came later in the file).</summary>
    public void Merge(ItemAccumulator other)
    {
        NotAsked += other.NotAsked;
        NoAnswer += other.NoAnswer;
        Given += other.Given;
        MergeGiven(other);
    }

    protected abstract void MergeGiven(ItemAccumulator other);

    protected static void AddInto(long[] into, long[] from)
    {
        for (var i = 0; i < into.Length; i++) into[i] += from[i];
    }

    /// <summary>The accumulator for an item; free text is held within <paramref name="texts"/> (a 64 MB budget of its own when null).</summary>
    public static ItemAccumulator For(Item item, TextBudget? texts = null) => item.Kind switch
    {
        ItemKind.Single or ItemKind.Matrix => new ChoiceAccumulator(item),
        ItemKind.Multiple => new MultipleAccumulator(item),
        ItemKind.Split => new SplitAccumulator(item),
        _ => new TextAccumulator(item, texts ?? new TextBudget(TextListing.DefaultMemoryBytes)),
    };

    protected static long[] CountsFor(Item item) => new long[item.Options.Count == 0 ? 1 : item.Options.Max(o => o.Code) + 1];

    protected Exception Invalid(string respondent, object value) =>
        new InvalidOperationException($"回答 {respondent} の設問 {Item.Code} の値 {value} は調査票にない選択肢です。");
}

internal sealed class ChoiceAccumulator(Item item) : ItemAccumulator(item)
{
    private readonly long[] _counts = CountsFor(item);

    protected override void AddGiven(in Answer answer, string respondent)
    {
        if ((uint)answer.Choice >= (uint)_counts.Length) throw Invalid(respondent, answer.Choice);
        _counts[answer.Choice]++;
    }

    protected override void AddGiven(CleanRow row, int index) => _counts[row.Values[index]]++; // checked by the reader

    protected override void MergeGiven(ItemAccumulator other) => AddInto(_counts, ((ChoiceAccumulator)other)._counts);

    public override ItemTable Result() => new ChoiceTable(Item, N,
        Item.Options.Select(o => new OptionRow(o, _counts[o.Code], Percent.Of(_counts[o.Code], N))).ToArray(),
        Share.Of(NoAnswer, N));
}

internal sealed class MultipleAccumulator(Item item) : ItemAccumulator(item)
{
    private readonly long[] _counts = CountsFor(item);

    protected override void AddGiven(in Answer answer, string respondent)
    {
        var bits = answer.Choices;
        while (bits != 0)
        {
            var code = System.Numerics.BitOperations.TrailingZeroCount(bits);
            if (code >= _counts.Length) throw Invalid(respondent, code);
            _counts[code]++;
            bits &= bits - 1;
        }
    }

    protected override void AddGiven(CleanRow row, int index)
    {
        for (var bits = row.Values[index]; bits != 0; bits &= bits - 1)
            _counts[System.Numerics.BitOperations.TrailingZeroCount(bits)]++; // codes checked by the reader
    }

    protected override void MergeGiven(ItemAccumulator other) => AddInto(_counts, ((MultipleAccumulator)other)._counts);

    public override ItemTable Result()
    {
        var mentions = Item.Options.Sum(o => _counts[o.Code]);
        return new ChoiceTable(Item, N,
            Item.Options.Select(o => new OptionRow(o, _counts[o.Code], Percent.Of(_counts[o.Code], N),
                Percent.Of(_counts[o.Code], mentions))).ToArray(),
            Share.Of(NoAnswer, N), mentions);
    }
}

/// <summary>The texts as UTF-8 in a <see cref="TextStore"/> per part, spilled to disk past the budget (<see cref="TextListing"/>).</summary>
internal sealed class TextAccumulator(Item item, TextBudget budget) : ItemAccumulator(item)
{
    private readonly List<TextStore> _stores = [new(budget)];

    protected override void AddGiven(in Answer answer, string respondent) => _stores[^1].Add(respondent, answer.Text!);

    protected override void AddGiven(CleanRow row, int index) => _stores[^1].Add(row.IdUtf8, row.Text(index));

    protected override void MergeGiven(ItemAccumulator other) => _stores.AddRange(((TextAccumulator)other)._stores);

    public override ItemTable Result() => new TextTable(Item, N, new TextListing(_stores));
}

/// <summary>
/// Per part: the exact sum, and a histogram of the values given (answers are few distinct numbers such as 0, 5, 14.5,
/// 100), so mean, median and bands are exact without holding the rows.
/// </summary>
internal sealed class SplitAccumulator(Item item) : ItemAccumulator(item)
{
    private readonly Dictionary<decimal, long>[] _histograms = item.Parts.Select(_ => new Dictionary<decimal, long>()).ToArray();
    /// <summary>Whole numbers 0…total, by far the most common answers, are counted here: hashing decimals is slow.</summary>
    private readonly long[][] _wholes = item.Parts.Select(_ => new long[WholeSlots(item)]).ToArray();
    private readonly long[] _answered = new long[item.Parts.Count];

    private static int WholeSlots(Item item) => item.Total is > 0 and <= 10_000 ? (int)item.Total + 1 : 0;

    protected override void AddGiven(in Answer answer, string respondent)
    {
        var parts = answer.Parts!;
        for (var p = 0; p < _histograms.Length && p < parts.Length; p++)
            if (parts[p] is { } v) AddPart(p, v);
    }

    protected override void AddGiven(CleanRow row, int index)
    {
        var parts = row.Splits[index]; // every part given (the reader checked the sum)
        for (var p = 0; p < _histograms.Length; p++) AddPart(p, parts[p]);
    }

    private void AddPart(int p, decimal v)
    {
        _answered[p]++;
        if (v.Scale == 0 && v >= 0 && v < _wholes[p].Length)
        {
            _wholes[p][(int)v]++;
            return;
        }
        // 14.50 and 14.5 are one key: decimal equality and hashing ignore the scale.
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_histograms[p], v, out _);
        slot++;
    }

    protected override void MergeGiven(ItemAccumulator other)
    {
        var o = (SplitAccumulator)other;
        AddInto(_answered, o._answered);
        for (var p = 0; p < _histograms.Length; p++)
        {
            AddInto(_wholes[p], o._wholes[p]);
            foreach (var (value, count) in o._histograms[p])
                _histograms[p][value] = _histograms[p].GetValueOrDefault(value) + count;
        }
    }

    public override ItemTable Result() => new SplitTable(Item, N,
        Item.Parts.Select((part, p) => Summarise(part, _answered[p], Merged(p), Item.Total)).ToArray(),
        Share.Of(NoAnswer, N));

    private Dictionary<decimal, long> Merged(int part)
    {
        var all = new Dictionary<decimal, long>(_histograms[part]);
        for (var v = 0; v < _wholes[part].Length; v++)
            if (_wholes[part][v] > 0)
                all[v] = all.GetValueOrDefault(v) + _wholes[part][v];
        return all;
    }

    /// <summary>The bands a split's distribution is shown in, as shares of the total (100%).</summary>
    public static readonly string[] BandLabels = ["0%", "0%超25%未満", "25%以上50%未満", "50%以上75%未満", "75%以上100%未満", "100%"];

    private static SplitPartSummary Summarise(SplitPart part, long answered, Dictionary<decimal, long> histogram, decimal total)
    {
        var bands = new long[BandLabels.Length];
        decimal sum = 0, min = 0, max = 0, median = 0;
        if (answered > 0)
        {
            var sorted = histogram.OrderBy(kv => kv.Key).ToArray();
            min = sorted[0].Key;
            max = sorted[^1].Key;
            long seen = 0;
            decimal? lower = null, upper = null;
            var lowerRank = (answered - 1) / 2; // 0-based ranks of the middle value(s)
            var upperRank = answered / 2;
            foreach (var (value, count) in sorted)
            {
                sum += value * count;
                bands[Band(value, total)] += count;
                if (lower is null && lowerRank < seen + count) lower = value;
                if (upper is null && upperRank < seen + count) upper = value;
                seen += count;
            }
            median = Round1((lower!.Value + upper!.Value) / 2);
        }
        var mean = answered > 0 ? Round1(sum / answered) : 0;
        return new SplitPartSummary(part, answered, mean, median, min, max,
            BandLabels.Select((label, b) => new BandCount(label, bands[b], Percent.Of(bands[b], answered))).ToArray());
    }

    private static int Band(decimal value, decimal total) =>
        value <= 0 ? 0 : value >= total ? 5 : 1 + (int)(value * 4 / total);

    /// <summary>Half up to one decimal, as percents are printed.</summary>
    private static decimal Round1(decimal v) => Math.Round(v, 1, MidpointRounding.AwayFromZero);
}

/// <summary>Two choice items over the respondents asked both; index 0 is 無回答, code c is index c.</summary>
internal sealed class CrossAccumulator
{
    private readonly Item _rows, _columns;
    private readonly long[,] _cells;
    private readonly long[] _rowTotals, _columnTotals;
    private long _n;

    public CrossAccumulator(Item rows, Item columns)
    {
        foreach (var item in new[] { rows, columns })
            if (item.Kind is not (ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix))
                throw new ArgumentException($"設問 {item.Code} は選択式ではないため、クロス集計には使えません。");
        _rows = rows;
        _columns = columns;
        var r = rows.Options.Max(o => o.Code) + 1;
        var c = columns.Options.Max(o => o.Code) + 1;
        _cells = new long[r, c];
        _rowTotals = new long[r];
        _columnTotals = new long[c];
    }

    public void Add(Answer[] answers)
    {
        var a = answers[_rows.Index];
        var b = answers[_columns.Index];
        Add(a.State, a.CompactValue(_rows.Kind), b.State, b.CompactValue(_columns.Kind));
    }

    public void Add(CleanRow row) =>
        Add(row.States[_rows.Index], row.Values[_rows.Index], row.States[_columns.Index], row.Values[_columns.Index]);

    private void Add(AnswerState a, ulong aValue, AnswerState b, ulong bValue)
    {
        if (a == AnswerState.NotAsked || b == AnswerState.NotAsked) return;
        _n++;
        Span<int> rows = stackalloc int[64], columns = stackalloc int[64];
        rows = rows[..Indexes(_rows, a, aValue, _rowTotals.Length, rows)];
        columns = columns[..Indexes(_columns, b, bValue, _columnTotals.Length, columns)];
        foreach (var i in rows)
        {
            _rowTotals[i]++;
            foreach (var j in columns) _cells[i, j]++;
        }
        foreach (var j in columns) _columnTotals[j]++;
    }

    public void Merge(CrossAccumulator other)
    {
        _n += other._n;
        AddInto(_rowTotals, other._rowTotals);
        AddInto(_columnTotals, other._columnTotals);
        for (var r = 0; r < _cells.GetLength(0); r++)
            for (var c = 0; c < _cells.GetLength(1); c++)
                _cells[r, c] += other._cells[r, c];
    }

    private static void AddInto(long[] into, long[] from)
    {
        for (var i = 0; i < into.Length; i++) into[i] += from[i];
    }

    /// <summary>The cells an answer (its state and <see cref="Answer.CompactValue"/>) counts in, written to <paramref name="into"/>; their number.</summary>
    private static int Indexes(Item item, AnswerState state, ulong value, int length, Span<int> into)
    {
        if (state == AnswerState.NoAnswer) { into[0] = 0; return 1; }
        if (item.Kind != ItemKind.Multiple)
        {
            if (value >= (ulong)length || value == 0)
                throw new InvalidOperationException($"設問 {item.Code} の値 {(int)value} は調査票にない選択肢です。");
            into[0] = (int)value;
            return 1;
        }
        var n = 0;
        for (var bits = value & ~1UL; bits != 0; bits &= bits - 1)
            if (System.Numerics.BitOperations.TrailingZeroCount(bits) is var c && c < length) into[n++] = c;
        return n;
    }

    public CrossTable Result()
    {
        var rowCodes = Codes(_rows);
        var columnCodes = Codes(_columns);
        var cells = new List<CrossCell>();
        foreach (var r in rowCodes)
            foreach (var c in columnCodes)
            {
                var count = _cells[r ?? 0, c ?? 0];
                cells.Add(new CrossCell(r, c, count,
                    Percent.Of(count, _rowTotals[r ?? 0]), Percent.Of(count, _columnTotals[c ?? 0])));
            }
        return new CrossTable(_rows, _columns, _n, cells,
            rowCodes.Select(r => new CrossTotal(r, _rowTotals[r ?? 0], Percent.Of(_rowTotals[r ?? 0], _n))).ToArray(),
            columnCodes.Select(c => new CrossTotal(c, _columnTotals[c ?? 0], Percent.Of(_columnTotals[c ?? 0], _n))).ToArray());
    }

    /// <summary>The option codes in questionnaire order, then null for 無回答.</summary>
    private static int?[] Codes(Item item) => [.. item.Options.Select(o => (int?)o.Code), null];
}

/// <summary>All items of a survey (and an optional cross table) over one stream of responses; mergeable in file order.</summary>
internal sealed class SurveyAccumulator
{
    private readonly Survey _survey;
    private readonly Segment? _segment;
    private readonly ItemAccumulator[] _items;
    /// <summary>The answer index of each accumulated item (personal items are skipped unless asked for).</summary>
    private readonly int[] _indices;
    private readonly CrossAccumulator? _cross;
    private long _respondents, _drafts;

    public SurveyAccumulator(Survey survey, Segment? segment, (Item Rows, Item Columns)? cross, bool includePersonal, TextBudget texts)
    {
        _survey = survey;
        _segment = segment;
        var items = survey.Items.Where(i => includePersonal || !i.Personal).ToArray();
        _items = items.Select(i => ItemAccumulator.For(i, texts)).ToArray();
        _indices = items.Select(i => i.Index).ToArray();
        _cross = cross is { } c ? new CrossAccumulator(c.Rows, c.Columns) : null;
    }

    public void Add(Response r)
    {
        if (!r.IsSubmitted) { _drafts++; return; }
        if (_segment is not null && !_segment.Matches(r.Answers)) return;
        _respondents++;
        for (var i = 0; i < _items.Length; i++)
            _items[i].Add(r.Answers[_indices[i]], r.Id);
        _cross?.Add(r.Answers);
    }

    /// <summary>One row as <see cref="ResponsesCsv.TryReadClean"/> hands it over; nothing of it is kept but its free text.</summary>
    public void Add(CleanRow row)
    {
        if (!row.Submitted) { _drafts++; return; }
        if (_segment is not null && !_segment.Matches(row)) return;
        _respondents++;
        for (var i = 0; i < _items.Length; i++)
            _items[i].Add(row, _indices[i]);
        _cross?.Add(row);
    }

    /// <summary>Adds <paramref name="later"/>, the totals of responses that follow this one's in the file.</summary>
    public void Merge(SurveyAccumulator later)
    {
        _respondents += later._respondents;
        _drafts += later._drafts;
        for (var i = 0; i < _items.Length; i++) _items[i].Merge(later._items[i]);
        _cross?.Merge(later._cross!);
    }

    public SurveyTabulation Result() =>
        new(_survey, _respondents, _drafts, _items.Select(a => a.Result()).ToArray())
        {
            Segment = _segment,
            Cross = _cross?.Result(),
        };
}
