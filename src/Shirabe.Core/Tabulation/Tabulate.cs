using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// Tabulation as the report does it (report 2.1): pure functions over a stream of responses, one pass, holding running
/// totals per item and never the rows (free-text listings keep their texts). Only submitted responses are tabulated;
/// drafts are counted. Every percent is computed once from exact integers (<see cref="Percent.Of"/>).
/// </summary>
public static class Tabulate
{
    /// <summary>
    /// Every item of <paramref name="survey"/> over the submitted responses in <paramref name="segment"/> (everyone when
    /// null), and optionally a cross table of two choice items in the same pass. Personal items (<see cref="Item.Personal"/>:
    /// names, titles) are not survey results and are left out unless <paramref name="includePersonal"/>. Free-text
    /// listings hold up to <paramref name="textMemoryBytes"/> of text in memory, the rest in temporary files.
    /// </summary>
    public static SurveyTabulation Survey(Survey survey, IEnumerable<Response> responses, Segment? segment = null,
        (Item Rows, Item Columns)? cross = null, bool includePersonal = false, long textMemoryBytes = TextListing.DefaultMemoryBytes)
    {
        var acc = new SurveyAccumulator(survey, segment, cross, includePersonal, new TextBudget(textMemoryBytes));
        foreach (var r in responses) acc.Add(r);
        return acc.Result();
    }

    /// <summary>
    /// As <see cref="Survey(Questionnaire.Survey, IEnumerable{Response}, Segment?, ValueTuple{Item, Item}?, bool, long)"/> over
    /// consecutive parts of one file (<see cref="ResponsesFileParts.Split"/>), each part on
    /// its own thread; the totals are merged in part order, so free-text listings keep file order. The result equals
    /// tabulating the parts concatenated. An exception from any part is thrown (the first by part order).
    /// </summary>
    public static SurveyTabulation SurveyInParts(Survey survey, IReadOnlyList<IEnumerable<Response>> parts, Segment? segment = null,
        (Item Rows, Item Columns)? cross = null, bool includePersonal = false, long textMemoryBytes = TextListing.DefaultMemoryBytes)
    {
        if (parts.Count == 0) return Survey(survey, [], segment, cross, includePersonal, textMemoryBytes);
        var texts = new TextBudget(textMemoryBytes); // one budget for all the parts
        var accumulators = parts.Select(_ => new SurveyAccumulator(survey, segment, cross, includePersonal, texts)).ToArray();
        using var failed = new CancellationTokenSource(); // one part failing makes the others' totals useless: stop them
        var tasks = parts.Select((part, i) => Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var r in part)
                {
                    if (failed.IsCancellationRequested) return;
                    accumulators[i].Add(r);
                }
            }
            catch
            {
                failed.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException)
        {
            var first = tasks.First(t => t.IsFaulted).Exception!.InnerException!;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
        for (var i = 1; i < accumulators.Length; i++) accumulators[0].Merge(accumulators[i]);
        return accumulators[0].Result();
    }

    /// <summary>
    /// Tabulates a UTF-8 responses file read in consecutive parts (<see cref="ResponsesFileParts.Split"/>; one part is the
    /// whole file), each on its own thread, straight from the bytes with <see cref="ResponsesCsv.TryReadClean"/>. Null
    /// when a part is not clean (a problem, or a form left to <see cref="ResponsesCsv.Read"/>) or an id is repeated
    /// across parts: the caller then reads the file with <see cref="ResponsesCsv.Read"/>, which reports every problem
    /// with its row number. <paramref name="rowsRead"/> hears of the rows read now and then, from any thread.
    /// </summary>
    public static SurveyTabulation? CleanFile(Survey survey, IReadOnlyList<Func<Stream>> parts, Segment? segment = null,
        (Item Rows, Item Columns)? cross = null, bool includePersonal = false, Action<long>? rowsRead = null,
        long textMemoryBytes = TextListing.DefaultMemoryBytes)
    {
        var texts = new TextBudget(textMemoryBytes);
        var accumulators = parts.Select(_ => new SurveyAccumulator(survey, segment, cross, includePersonal, texts)).ToArray();
        var ids = parts.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var failed = 0; // one part failing makes the others' work useless: they stop at their next row
        var tasks = parts.Select((open, i) => Task.Factory.StartNew(() =>
        {
            using var stream = open();
            var clean = ResponsesCsv.TryReadClean(stream, survey, ids[i], row =>
            {
                if (Volatile.Read(ref failed) != 0) throw new OperationCanceledException();
                accumulators[i].Add(row);
            }, rowsRead);
            if (!clean) Interlocked.Exchange(ref failed, 1);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            return null;
        }
        if (failed != 0) return null;
        for (var i = 1; i < ids.Length; i++)
            for (var j = 0; j < i; j++)
                if (ids[i].Overlaps(ids[j])) return null;
        for (var i = 1; i < accumulators.Length; i++) accumulators[0].Merge(accumulators[i]);
        return accumulators[0].Result();
    }

    /// <summary>One item over the submitted responses in the segment.</summary>
    public static ItemTable Item(Item item, IEnumerable<Response> responses, Segment? segment = null)
    {
        var acc = ItemAccumulator.For(item);
        foreach (var r in Submitted(responses, segment))
            acc.Add(r.Answers[item.Index], r.Id);
        return acc.Result();
    }

    /// <summary>
    /// The cross table of two choice items (report 2.3 (3): 4-3-a × 4-4-a) over the submitted responses asked both,
    /// with 無回答 as its own row and column.
    /// </summary>
    public static CrossTable Cross(Item rows, Item columns, IEnumerable<Response> responses, Segment? segment = null)
    {
        var acc = new CrossAccumulator(rows, columns);
        foreach (var r in Submitted(responses, segment))
            acc.Add(r.Answers);
        return acc.Result();
    }

    /// <summary>
    /// The grouped listing of percentage splits (table 2-4): respondents grouped by <paramref name="groupBy"/> (1-6),
    /// within a group banded by <paramref name="bandBy"/> (1-3), each row listing the parts of every item of
    /// <paramref name="splits"/> (1-4, 1-5). Groups follow <paramref name="groupOrder"/> (codes; others follow in
    /// questionnaire order; 無回答 last); bands run from the highest code down, (無回答) last; rows within a band run
    /// by the first part of the first split, descending, 無回答 last, ties in response order. A respondent who left
    /// every split unanswered is not listed but counted in the group's <see cref="ListingGroup.NoAnswer"/> ("※無回答 N件").
    /// Holds the listed rows: meant for survey-sized files, not for millions of responses.
    /// </summary>
    public static SplitListing Listing(IEnumerable<Response> responses, Item groupBy, Item bandBy, IReadOnlyList<Item> splits,
        IReadOnlyList<int>? groupOrder = null, Segment? segment = null)
    {
        foreach (var s in splits)
            if (s.Kind != ItemKind.Split) throw new ArgumentException($"設問 {s.Code} は割合（split）の設問ではありません。");
        foreach (var g in new[] { groupBy, bandBy })
            if (g.Kind != ItemKind.Single) throw new ArgumentException($"設問 {g.Code} は単数回答の設問ではありません。");

        var groups = new Dictionary<int, (long Count, long NoAnswer, List<(int Band, ListingRow Row)> Rows)>();
        foreach (var r in Submitted(responses, segment))
        {
            var group = r.Answers[groupBy.Index];
            if (group.State == AnswerState.NotAsked) continue;
            var key = group.State == AnswerState.Given ? group.Choice : 0;
            if (!groups.TryGetValue(key, out var g)) g = (0, 0, []);
            g.Count++;
            var values = splits.Select(s => r.Answers[s.Index] is { State: AnswerState.Given } a ? a.Parts : null).ToArray();
            if (values.All(v => v is null)) g.NoAnswer++;
            else
            {
                var band = r.Answers[bandBy.Index];
                g.Rows.Add((band.State == AnswerState.Given ? band.Choice : 0, new ListingRow(r.Id, values)));
            }
            groups[key] = g;
        }

        var order = (groupOrder ?? []).Concat(groupBy.Options.Select(o => o.Code)).Distinct().Append(0);
        var result = new List<ListingGroup>();
        foreach (var code in order)
        {
            if (!groups.TryGetValue(code, out var g)) continue;
            var bands = g.Rows
                .GroupBy(x => x.Band)
                .OrderBy(b => b.Key == 0 ? 1 : 0).ThenByDescending(b => b.Key)
                .Select(b => new ListingBand(b.Key == 0 ? null : bandBy.FindOption(b.Key),
                    b.Select(x => x.Row).OrderBy(FirstValueMissing).ThenByDescending(FirstValue).ToArray())) // OrderBy is stable
                .ToArray();
            result.Add(new ListingGroup(code == 0 ? null : groupBy.FindOption(code), g.Count, g.NoAnswer, bands));
        }
        return new SplitListing(groupBy, bandBy, splits, result);

        static int FirstValueMissing(ListingRow row) => row.Values[0]?[0] is null ? 1 : 0;
        static decimal FirstValue(ListingRow row) => row.Values[0]?[0] ?? 0;
    }

    private static IEnumerable<Response> Submitted(IEnumerable<Response> responses, Segment? segment)
    {
        foreach (var r in responses)
            if (r.IsSubmitted && (segment is null || segment.Matches(r)))
                yield return r;
    }
}
