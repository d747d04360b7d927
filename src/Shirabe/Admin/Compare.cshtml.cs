using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Tabulation;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>
/// The console's wave comparison (docs/web.md "Wave comparison"): the chosen survey's results beside its previous
/// wave's (PreviousSurveyId), for one item (?item=2-9-a) or every choice and matrix table of the report. Each wave's
/// valid submissions are tabulated once, on their own; the tables and charts are the report's (WaveTables), so the
/// numbers, the matched rows (`sameAs`) and the reasons an item is not compared are the report's too.
/// </summary>
public sealed class CompareModel(ConsoleReport report, ConsoleSurvey console) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "item")] public string? ItemCode { get; set; }

    public ConsoleReport.PreviousWave? Previous { get; private set; }
    public SurveyTabulation? Tabulation { get; private set; }
    /// <summary>Tables and figures in the report's order, then the notes on the items not compared.</summary>
    public List<Block> Blocks { get; } = [];
    public string? Error { get; private set; }
    /// <summary>The item shown (null: all).</summary>
    public Item? Picked { get; private set; }

    public Survey Survey => console.Survey;

    /// <summary>The items the report tabulates as choice or matrix tables: the ones that can be set beside the previous wave.</summary>
    public IEnumerable<Item> Items => console.Definition.Tables
        .Where(t => t.Kind is TableKind.Choice or TableKind.Matrix)
        .SelectMany(t => t.Items).Distinct()
        .Select(code => Survey.TryGetItem(code, out var item) ? item : null).OfType<Item>();

    /// <summary>Whether the item has the previous wave's figures; else why not.</summary>
    public string? ReasonFor(Item item) => Previous?.Comparison.ReasonFor(item);

    public string ItemName(Item item) => ConsoleNames.Name(Survey, item);

    public async Task OnGetAsync()
    {
        var cancel = HttpContext.RequestAborted;
        Previous = await report.PreviousAsync(cancel);
        if (Previous is null) return;
        if (!string.IsNullOrWhiteSpace(ItemCode))
        {
            Picked = Items.FirstOrDefault(i => i.Code == ItemCode.Trim());
            if (Picked is null)
                Error = $"設問「{ItemCode.Trim()[..Math.Min(ItemCode.Trim().Length, 40)]}」は比較できる表（選択式・マトリクスの表）にありません。すべての表を表示しています。";
        }
        _tabulated = await report.TabulatedAsync(null, cancel);
        Tabulation = _tabulated.Tabulation with { Previous = Previous.Comparison };
        var def = console.Definition;
        // The report's own wording of the comparison when its layout has one (「前回（2023年度）」), else the defaults.
        var asked = def.Parts.Select(p => p.Comparison).OfType<ComparisonSpec>().FirstOrDefault();
        var spec = new ComparisonSpec(Picked is null ? [] : [Picked.Code], ComparisonShow.Both, Footnote: true,
            asked?.Current ?? ComparisonSpec.DefaultCurrent, asked?.Previous ?? ComparisonSpec.DefaultPrevious,
            asked?.Caption ?? ComparisonSpec.DefaultCaption);
        var part = new ReportPart("compare", null, 2, null, null, null, null, null, null, false) { Comparison = spec };
        int tables = 0, figures = 0;
        Blocks.AddRange(WaveTables.Build(part, spec, def, Tabulation, Previous.Comparison, ref tables, ref figures));
    }

    private ResultsCache.Tabulated? _tabulated;

    /// <summary>
    /// The report's SVG of a figure (the chart writer XML-escapes its labels: DemoWavesTests puts a script tag in one), named by its
    /// caption (<c>aria-labelledby</c> the figcaption <c>cap-N</c>) so a screen reader announces it; drawn once per data version.
    /// </summary>
    public string Svg(FigureBlock figure) =>
        ResultsModel.Labelled(Charts.Svg(figure.Chart, $"cmp{figure.Number}-", _tabulated?.Charts), figure);
}
