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
/// Live results: the report's tables over the submitted responses in the database, optionally for a segment
/// (?f=1-6=5&amp;f=1-3=4, all must match) and with a cross table of two choice items (?rows=4-3-a&amp;cols=4-4-a).
/// </summary>
public sealed class ResultsModel(ConsoleReport report, ShirabeDb db, Survey survey) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "f")] public List<string> Filters { get; set; } = [];
    [BindProperty(SupportsGet = true, Name = "rows")] public string? RowsItem { get; set; }
    [BindProperty(SupportsGet = true, Name = "cols")] public string? ColumnsItem { get; set; }
    /// <summary>The questionnaire section whose tables are shown (?section=2), or "all".</summary>
    [BindProperty(SupportsGet = true, Name = "section")] public string? SectionText { get; set; }

    public const string AllSections = "all";

    /// <summary>The section shown (null: every section).</summary>
    public Section? Shown { get; private set; }

    public List<string> Errors { get; } = [];
    public Segment? Segment { get; private set; }
    public ConsoleReport.Built? Built { get; private set; }
    public int Drafts { get; private set; }
    public CrossTable? Cross { get; private set; }

    /// <summary>Items a segment or a cross table can use: single, multiple and matrix items.</summary>
    public IEnumerable<Item> ChoiceItems => survey.Items.Where(i => i.Kind is ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix);

    public async Task<IActionResult> OnGetAsync()
    {
        var cancel = HttpContext.RequestAborted;
        Segment = ConsoleSegments.Parse(survey, Filters, Errors);
        Built = await report.BuildAsync(Segment, cancel);
        Drafts = await SubmittedResponses.DraftsAsync(db, survey, cancel);
        Shown = SectionText == AllSections ? null : survey.Sections.FirstOrDefault(s => s.Id == SectionText) ?? survey.Sections[0];

        if (!string.IsNullOrWhiteSpace(RowsItem) || !string.IsNullOrWhiteSpace(ColumnsItem))
        {
            var rows = ChoiceItem(RowsItem, "表側");
            var columns = ChoiceItem(ColumnsItem, "表頭");
            if (rows is not null && columns is not null)
                Cross = Core.Tabulation.Tabulate.Cross(rows, columns, Built.Responses);
        }
        return Page();
    }

    private Item? ChoiceItem(string? code, string role)
    {
        if (!string.IsNullOrWhiteSpace(code) && survey.TryGetItem(code.Trim(), out var item)
            && item.Kind is ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix)
            return item;
        Errors.Add($"クロス集計の{role}には選択式の設問を選んでください（「{code}」は使えません）。");
        return null;
    }

    /// <summary>Everything the report tabulates (not the respondent list or the questionnaire).</summary>
    public IEnumerable<TableBlock> AllTables => Built!.Document.Tables.Where(t => t.Kind is not (TableKind.Respondents or TableKind.Questionnaire));

    /// <summary>The tables of the section shown.</summary>
    public IEnumerable<TableBlock> Tables => Shown is null ? AllTables : AllTables.Where(t => SectionOf(t) == Shown.Id);

    /// <summary>The section of a table's item or question; tables of neither (the overview) go with the first section.</summary>
    public string SectionOf(TableBlock table)
    {
        if (survey.TryGetItem(table.Key, out var item)) return item.SectionId;
        var question = survey.Sections.FirstOrDefault(s => s.Questions.Any(q => q.Code == table.Key));
        return question?.Id ?? survey.Sections[0].Id;
    }

    /// <summary>Rows of an answer listing shown on the page of every table; a longer one is linked to its section's page.</summary>
    public const int AllSectionsListingRows = 20;

    /// <summary>
    /// A listing of answers (free text, or values per respondent) too long for the page of every table: it is shown on
    /// its section's page (the page of every table stays under 300 KB at 100,000 responses; docs/decisions/075).
    /// </summary>
    public bool ListedOnItsSection(TableBlock table) =>
        Shown is null && table.Kind is TableKind.Text or TableKind.Listing && table.Rows.Count > AllSectionsListingRows;

    public int TablesIn(Section section) => AllTables.Count(t => SectionOf(t) == section.Id);

    /// <summary>This page with another section, keeping the segment and the cross table.</summary>
    public string SectionLink(string section)
    {
        var parts = Filters.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => "f=" + Uri.EscapeDataString(f.Trim())).ToList();
        if (!string.IsNullOrWhiteSpace(RowsItem)) parts.Add("rows=" + Uri.EscapeDataString(RowsItem));
        if (!string.IsNullOrWhiteSpace(ColumnsItem)) parts.Add("cols=" + Uri.EscapeDataString(ColumnsItem));
        parts.Add("section=" + Uri.EscapeDataString(section));
        return "/admin/results?" + string.Join("&", parts);
    }

    /// <summary>The filters in the order given and one empty pick-list more (at least two; each list is long).</summary>
    public List<string> FilterSlots
    {
        get
        {
            var list = Filters.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim()).Take(9).ToList();
            list.Add("");
            if (list.Count < 2) list.Add("");
            return list;
        }
    }

    public string ItemName(Item item) => ConsoleNames.Name(survey, item);

    /// <summary>The figure drawn from a table, if the report has one.</summary>
    public FigureBlock? FigureOf(TableBlock table) => Built!.Document.Figures.FirstOrDefault(f => f.Key == table.Key);

    /// <summary>
    /// A figure's SVG (its labels XML-escaped by the chart writer), named by its caption (<c>cap-N</c>) for screen readers;
    /// drawn once per data version and segment.
    /// </summary>
    public string Svg(FigureBlock figure) => Labelled(Built!.Svg(figure, $"res{figure.Number}-"), figure);

    /// <summary>An inline chart's <c>role="img"</c> named by its figcaption <c>cap-N</c>.</summary>
    public static string Labelled(string svg, FigureBlock figure) =>
        svg.Replace("role=\"img\"", $"role=\"img\" aria-labelledby=\"cap-{figure.Number}\"");

    public static string OptionLabel(Item item, int? code) =>
        code is { } c ? item.FindOption(c)?.ReportLabel ?? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : ReportBuilder.NoAnswer;

    public Survey Survey => survey;
}
