using Shirabe.Core.Questionnaire;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Shirabe.Core.Reports;

public sealed class ReportDefinitionException(IReadOnlyList<string> problems)
    : UserError("報告書の定義に誤りがあります:\n" + string.Join("\n", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Reads report.yaml (docs/report-format.md) and checks it against the survey it reports on.</summary>
public static class ReportDefinitionLoader
{
    public const string FileName = "report.yaml";

    /// <summary>
    /// Loads <paramref name="path"/>: a report.yaml file, or a survey folder holding one; a folder without one gets
    /// the <see cref="DefaultReport"/> (with its wave comparison section when <paramref name="comparison"/>: the report
    /// is made with a previous wave).
    /// </summary>
    public static ReportDefinition LoadFile(string path, Survey survey, bool comparison = false)
    {
        if (Directory.Exists(path) && !File.Exists(Path.Combine(path, FileName))) return DefaultReport.For(survey, comparison);
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new ReportDefinitionException([$"{file}: ファイルがありません。"]);
        return Load(YamlLimits.ReadFile(file, m => new ReportDefinitionException([$"{file}: {m}"])), survey, file);
    }

    public static ReportDefinition Load(string yaml, Survey survey, string file = FileName)
    {
        if (YamlLimits.Check(yaml) is var (line, column, message))
            throw new ReportDefinitionException([$"{file}:{line}:{column}: {message}"]);
        Dto root;
        try
        {
            root = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
                .Deserialize<Dto>(yaml) ?? throw new ReportDefinitionException([$"{file}: 内容が空です。"]);
        }
        catch (YamlException e)
        {
            throw new ReportDefinitionException([$"{file}:{e.Start.Line}:{e.Start.Column}: {Explain(e)}"]);
        }

        var problems = new List<string>();
        void Problem(string where, string message) => problems.Add($"{file}: {where}: {message}");
        if (root.Survey != survey.Id)
            Problem("survey", $"報告書は調査「{root.Survey}」用ですが、調査票は「{survey.Id}」です。");
        if (string.IsNullOrWhiteSpace(root.Title)) Problem("title", "title がありません。");
        if (root.Parts.Count == 0) Problem("parts", "parts がありません。");

        var parts = new List<ReportPart>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < root.Parts.Count; i++)
        {
            var p = root.Parts[i];
            var where = $"parts[{i + 1}]" + (p.Heading is { } h ? $"（{h}）" : p.Table?.Caption is { } c ? $"（{c}）" : "");
            var table = p.Table is null ? null : Table(p.Table, survey, where, Problem);
            var figure = p.Figure is null ? null : Figure(p.Figure, table, where, Problem);
            var comparison = p.Comparison is null ? null : Comparison(p.Comparison, p, where, Problem);
            var key = p.Id ?? (comparison is not null ? "comparison" : null) ?? (table is null ? null : table.Kind switch
            {
                TableKind.Overview or TableKind.Respondents or TableKind.Questionnaire or TableKind.Listing => table.Kind.ToString().ToLowerInvariant(),
                _ => string.Join("+", table.Items),
            }) ?? $"part-{i + 1}";
            if (!keys.Add(key)) Problem(where, $"id「{key}」が重複しています（同じ設問を 2 度使うときは id を付けてください）。");
            if (p.Narrative is not null && table is null) Problem(where, "narrative には table が必要です。");
            if (p.Level is < 1 or > 5) Problem(where, "level は 1～5 です。");
            parts.Add(new ReportPart(key, p.Heading, p.Level ?? 4, p.Number, p.Text,
                p.Narrative is null ? null : new NarrativeSpec(p.Narrative.Subject ?? ""),
                table, figure,
                p.Notes is null ? null : new NotesSpec(p.Notes.Title, p.Notes.Items),
                p.PageBreak) { Comparison = comparison });
        }
        // A comparison names the report's own choice and matrix tables: it sets their results beside the previous wave's.
        var compared = parts.Select(p => p.Table).OfType<TableSpec>().Where(t => t.Kind is TableKind.Choice or TableKind.Matrix)
            .SelectMany(t => t.Items).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < parts.Count; i++)
            foreach (var code in parts[i].Comparison?.Items ?? [])
            {
                var codes = survey.TryGetItem(code, out _) ? [code]
                    : survey.Questions.FirstOrDefault(q => q.Code == code)?.Items.Select(it => it.Code).ToList();
                if (codes is null) Problem($"parts[{i + 1}]", $"comparison.items: 設問 {code} は調査票にありません。");
                else if (!codes.Any(compared.Contains))
                    Problem($"parts[{i + 1}]", $"comparison.items: 設問 {code} は報告書の choice・matrix の表にありません（前回比較はそれらの表を前回と並べます）。");
            }
        if (problems.Count > 0) throw new ReportDefinitionException(problems);
        return new ReportDefinition(root.Survey ?? "", root.Title ?? "", root.Chapter, root.Invitations, root.MaxRows, parts);
    }

    private static string Explain(YamlException e)
    {
        var inner = e.InnerException?.Message ?? e.Message;
        return inner.Contains("not found on type", StringComparison.Ordinal)
            ? "知らない項目名があります（docs/report-format.md を参照）: " + inner
            : "YAML の書式が正しくありません: " + inner;
    }

    private static TableSpec? Table(TableDto t, Survey survey, string where, Action<string, string> problem)
    {
        if (!Enum.TryParse<TableKind>(t.Kind, ignoreCase: true, out var kind))
        {
            problem(where, $"table.kind「{t.Kind}」は overview, choice, matrix, text, split, listing, respondents, questionnaire のいずれかです。");
            return null;
        }
        if (string.IsNullOrWhiteSpace(t.Caption) && kind is not (TableKind.Questionnaire or TableKind.Respondents)) problem(where, "caption がありません。");
        var items = new List<string>();
        if (t.Item is not null) items.Add(t.Item);
        items.AddRange(t.Items);
        if (t.Question is not null)
        {
            var q = survey.Questions.FirstOrDefault(q => q.Code == t.Question);
            if (q is null) problem(where, $"設問 {t.Question} は調査票にありません。");
            else items.AddRange(q.Items.Where(i => i.Kind == ItemKind.Matrix).Select(i => i.Code));
        }
        foreach (var code in items.Concat(t.GroupBy))
            if (!survey.TryGetItem(code, out _)) problem(where, $"設問 {code} は調査票にありません。");
        if (problems(items, survey, kind) is { } message) problem(where, message);
        if (kind == TableKind.Listing && (t.GroupBy.Count != 2 || t.GroupBy.Any(c => !survey.TryGetItem(c, out var g) || g.Kind != ItemKind.Single)))
            problem(where, "listing の表には groupBy: [グループ分けの設問, その中で区分する設問]（単一回答 2 つ）を指定してください。");
        if (t.GroupHeaders.Count is not (0 or 2)) problem(where, "groupHeaders には groupBy の 2 つの設問の見出しを書いてください。");
        if (t.ItemHeaders.Count > 0 && t.ItemHeaders.Count != items.Count) problem(where, $"itemHeaders には items と同じ数（{items.Count}）の見出しを書いてください。");
        if (t.Headers.Count is not (0 or 2)) problem(where, "headers には 2 つの列（名称、区分）の見出しを書いてください。");
        if (t.BandLabels.Count > 0 && t.GroupBy.Count == 2 && survey.TryGetItem(t.GroupBy[1], out var band))
            foreach (var code in t.BandLabels.Keys.Where(c => band.FindOption(c) is null))
                problem(where, $"bandLabels: 設問 {band.Code} に選択肢 {code} はありません。");
        var @base = TableBase.Respondents;
        if (t.Base is not null && !Enum.TryParse(t.Base, ignoreCase: true, out @base))
            problem(where, "base は respondents（回答者数）か mentions（回答数の合計）です。");
        return new TableSpec(kind, t.Caption ?? "", items, @base, t.Total, t.HideZero, t.Header,
            t.Rows.Select(r => (IReadOnlyList<string>)r).ToArray(), t.GroupBy, t.GroupOrder, t.Note)
        {
            GroupHeaders = t.GroupHeaders, ItemHeaders = t.ItemHeaders, Headers = t.Headers, BandLabels = t.BandLabels,
        };

        static string? problems(List<string> items, Survey survey, TableKind kind)
        {
            var known = items.Where(c => survey.TryGetItem(c, out _)).Select(c => survey[c]).ToList();
            return kind switch
            {
                TableKind.Choice when known.Count != 1 || known[0].Kind is not (ItemKind.Single or ItemKind.Multiple) =>
                    "choice の表には単一回答か複数回答の設問を 1 つ（item）指定してください。",
                TableKind.Matrix when known.Count == 0 || known.Any(i => i.Kind != ItemKind.Matrix) =>
                    "matrix の表にはマトリクスの行（question か items）を指定してください。",
                TableKind.Text when known.Count == 0 || known.Any(i => i.Kind != ItemKind.Text) =>
                    "text の表には自由記述の設問（item か items）を指定してください。",
                TableKind.Split when known.Count != 1 || known[0].Kind != ItemKind.Split =>
                    "split の表には割合の設問を 1 つ（item）指定してください。",
                TableKind.Listing when known.Count == 0 || known.Any(i => i.Kind != ItemKind.Split) =>
                    "listing の表には割合の設問（items）を指定してください。",
                TableKind.Respondents when known.Count != 2 || known[0].Kind != ItemKind.Text || known[1].Kind != ItemKind.Single =>
                    "respondents の表には items: [名称の設問（自由記述）, 区分の設問（単一回答）] を指定してください。",
                _ => null,
            };
        }
    }

    private static ComparisonSpec Comparison(ComparisonDto c, PartDto part, string where, Action<string, string> problem)
    {
        if (part.Table is not null || part.Figure is not null || part.Narrative is not null)
            problem(where, "comparison の part には table・figure・narrative を置けません（見出し・text・notes は置けます）。");
        var show = ComparisonShow.Both;
        if (c.Show is not null && !Enum.TryParse(c.Show, ignoreCase: true, out show))
            problem(where, "comparison.show は both（表と図）、table、figure のいずれかです。");
        if (c.NotComparable is not (null or "note" or "omit"))
            problem(where, "comparison.notComparable は note（注記で理由を示す）か omit（載せない）です。");
        return new ComparisonSpec(c.Items ?? [], show, c.NotComparable != "omit",
            c.Current ?? ComparisonSpec.DefaultCurrent, c.Previous ?? ComparisonSpec.DefaultPrevious, c.Caption ?? ComparisonSpec.DefaultCaption);
    }

    private static FigureSpec? Figure(FigureDto f, TableSpec? table, string where, Action<string, string> problem)
    {
        if (table is null || table.Kind is not (TableKind.Choice or TableKind.Matrix))
        {
            problem(where, "figure は choice か matrix の表と同じ part に置いてください。");
            return null;
        }
        var chart = table.Kind == TableKind.Matrix ? ChartKind.Stacked : ChartKind.Bar;
        if (f.Chart is not null && (!Enum.TryParse(f.Chart, ignoreCase: true, out chart) || chart == ChartKind.Grouped))
            problem(where, "figure.chart は bar か stacked です。");
        if (string.IsNullOrWhiteSpace(f.Caption)) problem(where, "figure.caption がありません。");
        return new FigureSpec(chart, f.Caption ?? "");
    }

    // ---- YAML shape (YamlDotNet rejects unknown keys)
    private sealed class Dto
    {
        public string? Survey { get; set; }
        public string? Title { get; set; }
        public int Chapter { get; set; } = 1;
        public int Invitations { get; set; }
        public int MaxRows { get; set; } = 500;
        public List<PartDto> Parts { get; set; } = [];
    }

    private sealed class PartDto
    {
        public string? Id { get; set; }
        public string? Heading { get; set; }
        public int? Level { get; set; }
        public string? Number { get; set; }
        public string? Text { get; set; }
        public NarrativeDto? Narrative { get; set; }
        public TableDto? Table { get; set; }
        public FigureDto? Figure { get; set; }
        public NotesDto? Notes { get; set; }
        public ComparisonDto? Comparison { get; set; }
        public bool PageBreak { get; set; }
    }

    private sealed class ComparisonDto
    {
        public List<string>? Items { get; set; }
        public string? Show { get; set; }
        public string? NotComparable { get; set; }
        public string? Current { get; set; }
        public string? Previous { get; set; }
        public string? Caption { get; set; }
    }

    private sealed class NarrativeDto
    {
        public string? Subject { get; set; }
    }

    private sealed class TableDto
    {
        public string? Kind { get; set; }
        public string? Caption { get; set; }
        public string? Item { get; set; }
        public List<string> Items { get; set; } = [];
        public string? Question { get; set; }
        public string? Base { get; set; }
        public bool Total { get; set; }
        public bool HideZero { get; set; }
        public string? Header { get; set; }
        public List<List<string>> Rows { get; set; } = [];
        public List<string> GroupBy { get; set; } = [];
        public List<int> GroupOrder { get; set; } = [];
        public List<string> GroupHeaders { get; set; } = [];
        public List<string> ItemHeaders { get; set; } = [];
        public List<string> Headers { get; set; } = [];
        public Dictionary<int, string> BandLabels { get; set; } = [];
        public string? Note { get; set; }
    }

    private sealed class FigureDto
    {
        public string? Chart { get; set; }
        public string? Caption { get; set; }
    }

    private sealed class NotesDto
    {
        public string? Title { get; set; }
        public List<string> Items { get; set; } = [];
    }
}
