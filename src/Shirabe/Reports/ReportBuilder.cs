using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Reports;

/// <summary>What a report is made from: the layout, the tabulated survey, the responses (re-readable) and the secretariat's edits.</summary>
public sealed record ReportInput(
    ReportDefinition Definition,
    SurveyTabulation Tabulation,
    Func<IEnumerable<Response>> Responses,
    ReportEdits Edits)
{
    public Survey Survey => Tabulation.Survey;
}

/// <summary>Lays the report out: numbers captions, fills tables from the tabulation, drafts narratives, applies edits.</summary>
public static class ReportBuilder
{
    public const string NoAnswer = "無回答";

    public static ReportDocument Build(ReportInput input)
    {
        var def = input.Definition;
        var survey = input.Survey;
        var editor = new ReportEditor(input.Edits);
        var blocks = new List<Block>();
        int tableNo = 0, figureNo = 0, level4 = 0, level5 = 0, anchor = 0;

        foreach (var part in def.Parts)
        {
            // A wave comparison part is printed only when the report is made with a previous wave.
            if (part.Comparison is not null && input.Tabulation.Previous is null) continue;
            if (part.Heading is not null)
            {
                string number;
                if (part.Number is not null) number = part.Number;
                else if (part.Level == 4) number = $"（{++level4}）";
                else if (part.Level == 5) number = $"{++level5}）";
                else number = "";
                if (part.Level <= 3) level4 = 0;
                if (part.Level <= 4) level5 = 0;
                var heading = part.Comparison is not null ? WaveTables.Fill(part.Heading, survey, input.Tabulation.Previous!.Previous.Survey) : part.Heading;
                blocks.Add(new HeadingBlock(part.Level, number, heading, "h" + ++anchor, part.PageBreak));
            }
            else if (part.PageBreak) blocks.Add(new PageBreakBlock());

            if (part.Text is not null)
                blocks.Add(new ParagraphBlock(part.Comparison is null ? Fill(part.Text, input)
                    : WaveTables.Fill(Fill(part.Text, input), survey, input.Tabulation.Previous!.Previous.Survey)));
            if (part.Comparison is { } comparison)
                blocks.AddRange(WaveTables.Build(part, comparison, def, input.Tabulation, input.Tabulation.Previous!, ref tableNo, ref figureNo));

            TableBlock? table = null;
            string? draft = null;
            if (part.Table is { } spec)
            {
                int? number = spec.IsNumbered ? ++tableNo : null;
                var label = number is null ? null : $"表 {def.Chapter}-{number}";
                (table, draft) = spec.Kind switch
                {
                    TableKind.Overview => (Overview(part, spec, label, number, input), null),
                    TableKind.Choice => Choice(part, spec, label, number, input),
                    TableKind.Matrix => Matrix(part, spec, label, number, input),
                    TableKind.Text => Text(part, spec, label, number, input, editor),
                    TableKind.Split => (Split(part, spec, label, number, input), null),
                    TableKind.Listing => (Listing(part, spec, label, number, input), null),
                    TableKind.Respondents => (RespondentList(part, spec, input), null),
                    _ => (null, null),
                };
                if (spec.Kind == TableKind.Questionnaire) blocks.Add(Questionnaire(survey));
            }
            if (draft is not null && table is not null)
                blocks.Add(new NarrativeBlock(part.Key, editor.Narrative(part.Key, draft, table.Fingerprint)));
            if (table is not null) blocks.Add(table);
            if (part.Figure is { } figure && part.Table is { } ts)
            {
                var n = ++figureNo;
                blocks.Add(new FigureBlock(part.Key, $"図 {def.Chapter}-{n}", n, figure.Caption, Charts.From(figure, ts, input.Tabulation), table?.Basis));
            }
            if (part.Notes is { } notes) blocks.Add(new NotesBlock(notes.Title, notes.Items.Select(i => Fill(i, input)).ToArray()));
        }
        return new ReportDocument(def.Title, survey.Title, blocks) { AnswerEdits = AnswerEdits(input) };
    }

    /// <summary>
    /// The secretariat's edits of free-text answers by (column, respondent), for the raw-responses sheet: an answer
    /// edited in curation is written as edited there too. An edit made against an older text (stale) is not applied.
    /// </summary>
    private static Dictionary<(string Column, string Respondent), string> AnswerEdits(ReportInput input)
    {
        var edited = new Dictionary<(string, string), string>();
        foreach (var part in input.Definition.Parts)
        {
            if (part.Table is not { Kind: TableKind.Text } spec || !input.Edits.Curation.TryGetValue(part.Key, out var c) || c.Edits.Count == 0)
                continue;
            foreach (var code in spec.Items)
                foreach (var a in input.Tabulation.Text(code).Answers)
                    if (c.Edits.TryGetValue(a.Respondent, out var e) && e.Original == a.Text)
                        edited[(input.Survey[code].ColumnName, a.Respondent)] = e.Text;
        }
        return edited;
    }

    private static string Fill(string text, ReportInput input)
    {
        var p = input.Survey.Period;
        return text
            .Replace("{title}", input.Survey.Title)
            .Replace("{invitations}", input.Definition.Invitations.ToString(CultureInfo.InvariantCulture))
            .Replace("{respondents}", input.Tabulation.Respondents.ToString(CultureInfo.InvariantCulture))
            .Replace("{questions}", input.Survey.Questions.Count().ToString(CultureInfo.InvariantCulture))
            .Replace("{period}", $"{p.Opens.Year}年{p.Opens.Month}月{p.Opens.Day}日～{p.Closes.Year}年{p.Closes.Month}月{p.Closes.Day}日");
    }

    /// <summary>A short hash of everything a table shows: edits written against other numbers are flagged stale.</summary>
    internal static string Fingerprint(IEnumerable<IReadOnlyList<HeaderCell>> header, IEnumerable<Row> rows)
    {
        var s = new StringBuilder();
        foreach (var h in header) s.AppendJoin('\t', h.Select(c => c.Text)).Append('\n');
        foreach (var r in rows) s.AppendJoin('\t', r.Cells.Select(c => c.Text)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s.ToString())))[..16];
    }

    private static TableBlock Make(ReportPart part, TableSpec spec, string? label, int? number,
        IReadOnlyList<IReadOnlyList<HeaderCell>> header, IReadOnlyList<Row> rows, string? note, string? basis = null) =>
        new(part.Key, label, number, spec.Caption, spec.Kind, header, rows, note, Fingerprint(header, rows), basis);

    /// <summary>The table's own note and the report.yaml note (a ※ note), one per line; null when neither.</summary>
    private static string? Notes(string? own, string? spec) => own is null ? spec : spec is null ? own : own + "\n" + spec;

    /// <summary>What one answer to an item is, as reports name it: 単数回答, 複数回答, 自由記述, 数値回答 (a split in percent).</summary>
    public static string AnswerType(ItemKind kind) => kind switch
    {
        ItemKind.Multiple => "複数回答",
        ItemKind.Text => "自由記述",
        ItemKind.Split => "数値回答",
        _ => "単数回答", // single choice, and each row of a matrix
    };

    /// <summary>「単数回答（n=48）」: the answer type of the table's items and the base of its numbers.</summary>
    private static string Basis(IEnumerable<Item> items, string n)
    {
        var types = items.Select(i => AnswerType(i.Kind)).Distinct().ToList();
        return string.Join("・", types) + "（" + n + "）";
    }

    private static TableBlock Overview(ReportPart part, TableSpec spec, string? label, int? number, ReportInput input)
    {
        var rows = spec.Rows.Select(r => new Row(r.Select(c => Cell.Of(Fill(c, input))).ToArray())).ToArray();
        return Make(part, spec, label, number, [], rows, spec.Note);
    }

    private static (TableBlock, string?) Choice(ReportPart part, TableSpec spec, string? label, int? number, ReportInput input)
    {
        var t = (ChoiceTable)input.Tabulation[spec.Item!];
        var mentions = spec.Base == TableBase.Mentions && t.Mentions is not null;
        var rows = new List<Row>();
        foreach (var o in t.Options)
        {
            if (spec.HideZero && o.Count == 0) continue;
            rows.Add(new Row([Cell.Of(o.Option.ReportLabel), Cell.Count(o.Count), Cell.Percent(mentions ? o.PercentOfMentions ?? 0 : o.Percent)]));
        }
        // Multiple answer: the blank is no choice at all; it is shown only for respondents-based tables.
        if (t.Mentions is null || !mentions)
            rows.Add(new Row([Cell.Of(NoAnswer), Cell.Count(t.NoAnswer.Count), Cell.Percent(t.NoAnswer.Percent)]));
        if (spec.Total)
        {
            rows.Add(mentions
                ? new Row([Cell.Of("総計"), Cell.Count(t.Mentions!.Value), Cell.Percent(100m)], RowKind.Total)
                : new Row([Cell.Of("総計"), Cell.Count(t.N), Cell.Percent(t.N > 0 ? 100m : 0m)], RowKind.Total));
        }
        var header = new[] { new HeaderCell[] { new(spec.Header ?? "回答"), new("件数"), new(mentions ? "割合（回答数比）" : "割合") } };
        // The base (n) is said once, in the basis line under the caption; the note only says how to read the percentages.
        var note = mentions
            ? "割合は回答数の合計に対する比率。"
            : t.Mentions is not null ? "複数回答のため、割合の合計は 100% を超えることがある。" : null;
        var basis = Basis([t.Item], mentions ? $"n={t.N}、回答数={t.Mentions}" : $"n={t.N}");
        var table = Make(part, spec, label, number, header, rows, Notes(note, spec.Note), basis);
        var draft = part.Narrative is { } n ? Narratives.Choice(n.Subject, t, spec.Base) : null;
        return (table, draft);
    }

    private static (TableBlock, string?) Matrix(ReportPart part, TableSpec spec, string? label, int? number, ReportInput input)
    {
        var tables = spec.Items.Select(c => (ChoiceTable)input.Tabulation[c]).ToList();
        var points = tables[0].Item.Options;
        var header = new[]
        {
            new HeaderCell[] { new("") }.Concat(points.Select(p => new HeaderCell(p.ReportLabel)))
                .Concat([new HeaderCell(NoAnswer), new HeaderCell("全体"), new HeaderCell("n")]).ToArray(),
        };
        var rows = tables.Select(t => new Row(
            new[] { Cell.Of(t.Item.Label) }
                .Concat(t.Options.Select(o => Cell.Percent(o.Percent)))
                .Concat([Cell.Percent(t.NoAnswer.Percent), Cell.Percent(t.N > 0 ? 100m : 0m), Cell.Count(t.N)]).ToArray())).ToArray();
        var ns = tables.Select(t => t.N).Distinct().ToList();
        var note = ns.Count == 1 ? null : "n は行ごとの回答者数（その設問の対象外の回答者を除く）。";
        var basis = Basis(tables.Select(t => t.Item), ns.Count == 1 ? $"n={ns[0]}" : "n は項目ごと");
        var table = Make(part, spec, label, number, header, rows, Notes(note, spec.Note), basis);
        var draft = part.Narrative is { } n ? Narratives.Matrix(n.Subject, tables) : null;
        return (table, draft);
    }

    private static (TableBlock, string?) Text(ReportPart part, TableSpec spec, string? label, int? number, ReportInput input, ReportEditor editor)
    {
        var answers = spec.Items.SelectMany(c => ((TextTable)input.Tabulation[c]).Answers).Select(a => (a.Respondent, a.Text)).ToList();
        var curated = editor.Answers(part.Key, answers);
        var max = input.Definition.MaxRows;
        var rows = curated.Take(max).Select(a => new Row([Cell.Of(a.Text)])).ToList();
        string? note = curated.Count > max ? $"ほか {curated.Count - max:#,0} 件（全件は Excel の回答データを参照）" : null;
        var basis = Basis(spec.Items.Select(c => input.Survey[c]), $"n={answers.Count}");
        var table = Make(part, spec, label, number, [], rows, note, basis);
        var draft = part.Narrative is { } n ? Narratives.Text(n.Subject, curated.Count) : null;
        return (table, draft);
    }

    /// <summary>Per part of a split: how many gave a value, and the mean, median, minimum and maximum of the values.</summary>
    private static TableBlock Split(ReportPart part, TableSpec spec, string? label, int? number, ReportInput input)
    {
        var t = input.Tabulation.Split(spec.Item!);
        var header = new[] { new HeaderCell[] { new(""), new("回答数"), new("平均"), new("中央値"), new("最小"), new("最大") } };
        var rows = t.Parts.Select(p => new Row([Cell.Of(p.Part.Label), Cell.Count(p.Answered),
            Cell.Given(Math.Round(p.Mean, 1)), Cell.Given(p.Median), Cell.Given(p.Min), Cell.Given(p.Max)])).ToArray();
        var note = $"n は{NoAnswer} {t.NoAnswer.Count} 件を含む。値は回答者が入力した割合（合計 {t.Item.Total:0.##}%）。";
        return Make(part, spec, label, number, header, rows, note, Basis([t.Item], $"n={t.N}"));
    }

    // ---------------------------------------------------------------- listings that need the responses

    /// <summary>What 参考資料2 needs of a submitted respondent, read in one pass over the responses.</summary>
    private sealed record RespondentRow(string Id, DateTimeOffset SubmittedAt, string Name, int? Industry);

    private static List<RespondentRow> ReadRespondents(ReportInput input, TableSpec spec)
    {
        var name = input.Survey[spec.Items[0]].Index;
        var industry = input.Survey[spec.Items[1]].Index;
        var list = new List<RespondentRow>();
        foreach (var r in input.Responses())
        {
            if (r.SubmittedAt is not { } at) continue;
            var i = r.Answers[industry];
            list.Add(new RespondentRow(r.Id, at, r.Answers[name].Text ?? "", i.State == AnswerState.Given ? i.Choice : null));
        }
        return list;
    }

    private static TableBlock Listing(ReportPart part, TableSpec spec, string? label, int? number, ReportInput input)
    {
        var survey = input.Survey;
        var splits = spec.Items.Select(c => survey[c]).ToList();
        var listing = Core.Tabulation.Tabulate.Listing(input.Responses(), survey[spec.GroupBy[0]], survey[spec.GroupBy[1]], splits, spec.GroupOrder);
        var header = new List<IReadOnlyList<HeaderCell>>
        {
            new HeaderCell[] { new(spec.Header ?? "回答者", 2) }
                .Concat(splits.Select((s, i) => new HeaderCell(spec.ItemHeaders.Count > 0 ? spec.ItemHeaders[i] : Heading(survey, s), s.Parts.Count))).ToArray(),
            spec.GroupBy.Select((code, i) => new HeaderCell(spec.GroupHeaders.Count > 0 ? spec.GroupHeaders[i] : Heading(survey, survey[code])))
                .Concat(splits.SelectMany(s => s.Parts.Select(p => new HeaderCell(p.Label)))).ToArray(),
        };
        var rows = new List<Row>();
        var max = input.Definition.MaxRows;
        long listed = 0, total = 0, respondents = 0;
        foreach (var g in listing.Groups)
        {
            var name = (g.Group?.ReportLabel ?? $"（{NoAnswer}）") + $"（{g.Count}）" + (g.NoAnswer > 0 ? $" ※{NoAnswer} {g.NoAnswer}件" : "");
            respondents += g.Count;
            rows.Add(new Row([Cell.Of(name)], RowKind.Group));
            foreach (var band in g.Bands)
            {
                var first = true;
                var bandLabel = band.Band is { } b ? spec.BandLabels.GetValueOrDefault(b.Code) ?? b.ReportLabel : $"（{NoAnswer}）";
                foreach (var row in band.Rows)
                {
                    total++;
                    if (++listed > max) continue;
                    var cells = new List<Cell> { Cell.Of(""), Cell.Of(first ? bandLabel : "") };
                    var repeatsBand = !first;
                    first = false;
                    for (var i = 0; i < splits.Count; i++)
                    {
                        if (row.Values[i] is { } values)
                            cells.AddRange(values.Select(v => v is { } x ? Cell.Given(x) : Cell.Of("")));
                        else
                        {
                            cells.Add(new Cell($"（{NoAnswer}）", null, CellFormat.Value)); // in a value column: aligned as one
                            cells.AddRange(Enumerable.Repeat(Cell.Of(""), splits[i].Parts.Count - 1));
                        }
                    }
                    // At the top of a page the row names its band again.
                    rows.Add(new Row(cells, RowKind.Body, repeatsBand ? [cells[0], Cell.Of(bandLabel), .. cells.Skip(2)] : null));
                }
            }
        }
        var note = spec.Note;
        if (total > max) note = (note is null ? "" : note + "\n") + $"ほか {total - max:#,0} 件（全件は Excel の回答データを参照）";
        return Make(part, spec, label, number, header, rows, note, Basis(splits, $"n={respondents}"));
    }

    /// <summary>A column heading from the survey: the item's short wording, else its question's title, else its label.</summary>
    private static string Heading(Survey survey, Item item) =>
        item.Short ?? (item.Code == item.QuestionCode ? survey.Questions.First(q => q.Code == item.QuestionCode).Title : null) ?? item.Label;

    private static int Compare(RespondentRow a, RespondentRow b) =>
        a.SubmittedAt.CompareTo(b.SubmittedAt) is var c and not 0 ? c : string.CompareOrdinal(a.Id, b.Id);

    private static TableBlock RespondentList(ReportPart part, TableSpec spec, ReportInput input)
    {
        var people = ReadRespondents(input, spec);
        var name = input.Survey[spec.Items[0]];
        var industry = input.Survey[spec.Items[1]];
        var header = new[] { new HeaderCell[] { new("No"),
            new(spec.Headers.Count > 0 ? spec.Headers[0] : Heading(input.Survey, name)),
            new(spec.Headers.Count > 0 ? spec.Headers[1] : Heading(input.Survey, industry)) } };
        var rows = new List<Row>();
        var no = 0;
        // The console's responses come in this order already: sorting 100,000 again would cost more than the listing.
        var inOrder = people.Zip(people.Skip(1)).All(p => Compare(p.First, p.Second) <= 0);
        foreach (var p in inOrder ? people : people.OrderBy(p => p.SubmittedAt).ThenBy(p => p.Id, StringComparer.Ordinal).AsEnumerable())
        {
            if (++no > input.Definition.MaxRows) break;
            rows.Add(new Row([Cell.Count(no), Cell.Of(p.Name),
                Cell.Of(p.Industry is { } code ? industry.FindOption(code)?.ReportLabel ?? "" : "‐")]));
        }
        var note = people.Count > input.Definition.MaxRows ? $"ほか {people.Count - input.Definition.MaxRows:#,0} 件" : null;
        return Make(part, spec, null, null, header, rows, note);
    }

    private static QuestionnaireBlock Questionnaire(Survey survey)
    {
        var lines = new List<QuestionnaireLine>();
        foreach (var section in survey.Sections)
        {
            lines.Add(new QuestionnaireLine(0, $"{section.Id}. {section.Title}", true));
            foreach (var q in section.Questions)
            {
                lines.Add(new QuestionnaireLine(0, $"設問 {q.Code}) {q.Prompt}" + (q.Note is null ? "" : " " + q.Note), true));
                var single = q.Items.Count == 1 && q.Items[0].Code == q.Code;
                foreach (var item in q.Items)
                {
                    if (!single) lines.Add(new QuestionnaireLine(1, $"{item.Code}) {item.Label}" + KindNote(item), false));
                    else if (KindNote(item) is { Length: > 0 } k) lines.Add(new QuestionnaireLine(1, k.Trim(), false));
                    if (item.Kind == ItemKind.Split)
                        foreach (var p in item.Parts) lines.Add(new QuestionnaireLine(2, $"{item.Code}-{p.Code}) {p.Label}", false));
                    if (item.Kind is ItemKind.Single or ItemKind.Multiple && (single || item.Options.Count > 0))
                    {
                        lines.Add(new QuestionnaireLine(2, "【選択肢】", false));
                        foreach (var o in item.Options) lines.Add(new QuestionnaireLine(2, $"{o.Code}. {o.Label}", false));
                    }
                }
                if (q.Items.Count > 0 && q.Items.All(i => i.Kind == ItemKind.Matrix) && q.Items[0].Scale is { } scale)
                    lines.Add(new QuestionnaireLine(2, "【選択肢】" + string.Join("　", scale.Points.Select(p => $"{p.Code}. {p.Label}")), false));
            }
        }
        return new QuestionnaireBlock(lines);
    }

    private static string KindNote(Item item) => item.Kind switch
    {
        ItemKind.Multiple => "（複数回答）",
        _ => "",
    };
}
