using System.Net;
using System.Text;
using Shirabe.Core.Responses;

namespace Shirabe.Reports;

/// <summary>
/// The report as one HTML page with a print stylesheet (A4); the PDF is this page printed by Chromium. Every text from
/// the data is HTML-escaped; charts are inline SVG (searchable, crisp in print).
/// </summary>
public static partial class HtmlReport
{
    /// <summary>The fonts the page asks for: Noto Sans CJK JP (embedded by Chromium in the PDF), then IPAexGothic.</summary>
    public const string FontStack = "'Noto Sans CJK JP', 'IPAexGothic', sans-serif";

    /// <summary>
    /// The report as HTML. With a <paramref name="layout"/> (the PDF) it is laid out for pages: the contents carry page
    /// numbers, tables are split where pages break (「（続き）」, group labels repeated) and every table row is a link
    /// target, so Chromium records where it landed (<see cref="ReportPdf"/>).
    /// </summary>
    public static string Render(ReportDocument doc, IProgress<string>? progress = null, PageLayout? layout = null)
    {
        var h = new StringBuilder(256 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(doc.Title)).Append("</title>\n<style>\n")
            .Append(Css).Append(layout is { Measured: false } ? MeasureOnlyCss : "").Append("</style>\n</head>\n<body>\n");
        h.Append("<header class=\"cover\"><p class=\"survey\">").Append(E(doc.SurveyTitle)).Append("</p><h1 class=\"title\">")
            .Append(E(doc.Title)).Append("</h1></header>\n");
        Toc(h, doc, layout);

        var figures = doc.Figures.Count();
        int drawn = 0, tables = 0;
        foreach (var block in doc.Blocks)
        {
            switch (block)
            {
                case HeadingBlock b:
                    var tag = "h" + Math.Min(6, b.Level + 1);
                    h.Append('<').Append(tag).Append(" id=\"").Append(b.Anchor).Append('"')
                        .Append(b.PageBreak ? " class=\"break\"" : "").Append('>').Append(Tokens(b.Full)).Append("</").Append(tag).Append(">\n");
                    break;
                case PageBreakBlock:
                    h.Append("<div class=\"break\"></div>\n");
                    break;
                case ParagraphBlock p:
                    h.Append("<p>").Append(Lines(p.Text)).Append("</p>\n");
                    break;
                case NarrativeBlock n:
                    h.Append("<p class=\"narrative").Append(n.View.Stale ? " stale" : "").Append(n.View.Edited ? " edited" : "")
                        .Append("\" data-key=\"").Append(E(n.Key)).Append("\" data-fingerprint=\"").Append(n.View.Fingerprint).Append("\">")
                        .Append(Lines(n.View.Text));
                    if (n.View.Stale) h.Append("<span class=\"flag\">（編集後に集計結果が変わりました。本文を確認してください）</span>");
                    h.Append("</p>\n");
                    break;
                case TableBlock t:
                    Table(h, t, TableId(t, ++tables), layout);
                    break;
                case FigureBlock f:
                    string svg;
                    if (layout is { Measured: false }) // the first pass only measures: an empty picture of the chart's size
                        svg = $"<svg width=\"{Charts.Width}\" height=\"{Charts.Height(f.Chart)}\" viewBox=\"0 0 {Charts.Width} {Charts.Height(f.Chart)}\"></svg>";
                    else if (layout is not null) svg = layout.Svgs[f.Number]; // drawn while the first pass printed
                    else
                    {
                        progress?.Report($"図を作成中（{++drawn}/{figures}）");
                        svg = Chart(doc, f);
                    }
                    h.Append("<figure class=\"chart\" id=\"fig-").Append(f.Number).Append("\">").Append(svg)
                        .Append("<figcaption>").Append(Tokens(f.FullCaption));
                    if (f.Basis is not null) h.Append("<span class=\"basis\">").Append(E(f.Basis)).Append("</span>");
                    h.Append("</figcaption></figure>\n");
                    break;
                case NotesBlock nb:
                    h.Append("<div class=\"notes\">");
                    if (nb.Title is not null) h.Append("<p>").Append(E(nb.Title)).Append("</p>");
                    h.Append("<ul>");
                    foreach (var i in nb.Items)
                        h.Append(NotesBlock.HasOwnMarker(i) ? "<li class=\"marked\">" : "<li>").Append(Lines(i)).Append("</li>");
                    h.Append("</ul></div>\n");
                    break;
                case QuestionnaireBlock q:
                    h.Append("<div class=\"questionnaire\">\n");
                    foreach (var l in q.Lines)
                        h.Append("<p class=\"i").Append(l.Indent).Append(l.IsQuestion ? " q" : "").Append("\">").Append(E(l.Text)).Append("</p>\n");
                    h.Append("</div>\n");
                    break;
            }
        }
        if (layout is not null) Targets(h, doc);
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>A figure's chart as inline SVG (its ids prefixed, so that many charts can share a page).</summary>
    internal static string Chart(ReportDocument doc, FigureBlock f) => Charts.Svg(f.Chart, $"f{f.Number}-", doc.Charts);

    /// <summary>The id of a table: tab-N for numbered tables (the contents link to it), tbl-N (its place) otherwise.</summary>
    public static string TableId(TableBlock t, int index) => t.Number is { } n ? "tab-" + n : "tbl-" + index;

    /// <summary>
    /// Links to every table row, never shown: Chromium writes a PDF destination (page and position) only for link
    /// targets, and the rows' pages are what the next pass splits tables by.
    /// </summary>
    private static void Targets(StringBuilder h, ReportDocument doc)
    {
        h.Append("<nav class=\"targets\" aria-hidden=\"true\">");
        var index = 0;
        foreach (var t in doc.Tables)
        {
            var id = TableId(t, ++index);
            if (t.Number is null) h.Append("<a href=\"#").Append(id).Append("\"></a>");
            for (var i = 0; i < t.Rows.Count; i++) h.Append("<a href=\"#").Append(id).Append("-r").Append(i).Append("\"></a>");
        }
        h.Append("</nav>\n");
    }

    private static void Toc(StringBuilder h, ReportDocument doc, PageLayout? layout)
    {
        h.Append(layout is null ? "<nav class=\"toc\">" : "<nav class=\"toc paged\">").Append("<h2>目次</h2><ol>\n");
        foreach (var b in doc.Headings.Where(b => b.Level <= 4))
            Entry(h, "l" + b.Level, b.Anchor, b.Full, layout);
        h.Append("</ol>\n<h2>図表一覧</h2><ol class=\"figures\">\n");
        foreach (var b in doc.Blocks)
        {
            if (b is TableBlock { Label: not null } t) Entry(h, "t", "tab-" + t.Number, t.FullCaption, layout);
            else if (b is FigureBlock f) Entry(h, "f", "fig-" + f.Number, f.FullCaption, layout);
        }
        h.Append("</ol></nav>\n");
    }

    /// <summary>A line of the contents: the text, a dotted leader and the page (its width reserved before it is known).</summary>
    private static void Entry(StringBuilder h, string cls, string anchor, string text, PageLayout? layout)
    {
        h.Append("<li class=\"").Append(cls).Append("\"><a href=\"#").Append(anchor).Append("\"><span class=\"text\">").Append(Tokens(text)).Append("</span>");
        if (layout is not null)
            h.Append("<span class=\"page\">").Append(layout.Pages.TryGetValue(anchor, out var page) ? page.ToString(System.Globalization.CultureInfo.InvariantCulture) : "").Append("</span>");
        h.Append("</a></li>\n");
    }

    /// <summary>
    /// A table, as one &lt;table&gt; or, where the PDF's pages break it, as one per page: the caption is the first header
    /// row, so it stays with the table; continuations say 「（続き）」 and repeat the group label and the row's band.
    /// 「（続き）」 is always there but hidden on the first part, so every part has the height the first pass measured.
    /// </summary>
    private static void Table(StringBuilder h, TableBlock t, string id, PageLayout? layout)
    {
        var columns = t.Columns;
        var grouped = t.Rows.Any(r => r.Kind == RowKind.Group);
        var starts = layout?.Splits.GetValueOrDefault(id) is { } split ? split.Where(i => i > 0 && i < t.Rows.Count).Order().ToList() : [];
        starts.Insert(0, 0);
        var kind = t.Kind.ToString().ToLowerInvariant();
        for (var c = 0; c < starts.Count; c++)
        {
            int from = starts[c], to = c + 1 < starts.Count ? starts[c + 1] : t.Rows.Count;
            var continued = c > 0;
            h.Append("<figure class=\"table ").Append(kind).Append(continued ? " cont" : "").Append('"');
            if (!continued) h.Append(" id=\"").Append(id).Append('"');
            h.Append("><table><thead>");
            if (t.Caption.Length > 0 || t.Basis is not null)
            {
                h.Append("<tr class=\"caption\"><th colspan=\"").Append(columns).Append("\">");
                if (t.Caption.Length > 0)
                    h.Append("<span class=\"title\">").Append(Tokens(t.FullCaption)).Append(Cont(continued)).Append("</span>");
                if (t.Basis is not null) h.Append("<span class=\"basis\">").Append(E(t.Basis)).Append("</span>");
                h.Append("</th></tr>");
            }
            foreach (var row in t.Header)
            {
                h.Append("<tr>");
                foreach (var cell in row)
                    h.Append("<th").Append(cell.Span > 1 ? $" colspan=\"{cell.Span}\"" : "").Append('>').Append(E(cell.Text)).Append("</th>");
                h.Append("</tr>");
            }
            // The group in force at the top of the part heads it (and repeats with the header if a page breaks it).
            var body = from;
            if (grouped)
            {
                var g = t.Rows[from].Kind == RowKind.Group ? from : LastGroup(t, from);
                if (g >= 0)
                {
                    h.Append("<tr class=\"group\"").Append(g == from ? $" id=\"{id}-r{g}\"" : "").Append("><td colspan=\"").Append(columns).Append("\">")
                        .Append(Lines(t.Rows[g].Cells[0].Text)).Append(Cont(g < from)).Append("</td></tr>");
                    if (g == from) body++;
                }
            }
            h.Append("</thead><tbody>");
            for (var r = body; r < to; r++)
                Row(h, t, t.Rows[r], id, r, continued && r == from && t.Rows[r].Continued is { } again ? again : t.Rows[r].Cells);
            h.Append("</tbody></table>");
            if (c == starts.Count - 1 && t.Note is not null) h.Append("<p class=\"note\">").Append(Lines(t.Note)).Append("</p>");
            h.Append("</figure>\n");
        }
    }

    private static string Cont(bool shown) => shown ? "<span class=\"cont\">（続き）</span>" : "<span class=\"cont hidden\">（続き）</span>";

    private static int LastGroup(TableBlock t, int before)
    {
        for (var i = before - 1; i >= 0; i--) if (t.Rows[i].Kind == RowKind.Group) return i;
        return -1;
    }

    private static void Row(StringBuilder h, TableBlock t, Row row, string id, int index, IReadOnlyList<Cell> cells)
    {
        h.Append("<tr id=\"").Append(id).Append("-r").Append(index).Append('"')
            .Append(row.Kind switch { RowKind.Total => " class=\"total\">", RowKind.Group => " class=\"group\">", _ => ">" });
        for (var i = 0; i < cells.Count; i++)
        {
            var c = cells[i];
            var span = row.Kind == RowKind.Group && i == cells.Count - 1 ? t.Columns - i : 1;
            var tag = i == 0 && t.Kind is Core.Reports.TableKind.Overview or Core.Reports.TableKind.Matrix ? "th" : "td";
            h.Append('<').Append(tag);
            if (c.AlignsRight) h.Append(" class=\"num\"");
            if (span > 1) h.Append(" colspan=\"").Append(span).Append('"');
            h.Append('>').Append(Lines(c.Text)).Append("</").Append(tag).Append('>');
        }
        h.Append("</tr>\n");
    }

    /// <summary>Question references (設問 4-5, 設問1-6, 4-1-a) never break across lines; a caption's own label opens its line anyway.</summary>
    private static string Tokens(string s) => Reference().Replace(E(s), m => "<span class=\"nw\">" + m.Value + "</span>");

    [System.Text.RegularExpressions.GeneratedRegex(@"設問\s*\d+(?:-\d+)*(?:-[a-z])?|(?<![表図]\s?)\b\d+(?:-\d+)+(?:-[a-z])?")]
    private static partial System.Text.RegularExpressions.Regex Reference();

    /// <summary>Escaped, without characters XML cannot hold (the rule every report writer shares).</summary>
    private static string E(string s) => WebUtility.HtmlEncode(XmlText.Clean(s));
    private static string Lines(string s) => E(s).Replace("\r\n", "\n").Replace("\n", "<br>");

    /// <summary>
    /// The first pass of the PDF only measures: nothing is painted (no glyphs to draw and embed, a PDF of a few KB),
    /// while the layout, and with it every destination Chromium writes, is the same (visibility takes no space).
    /// </summary>
    internal const string MeasureOnlyCss = "* { visibility: hidden !important; }\n";

    private const string Css = """
        :root { --ink: #1a1a1a; --rule: #888; --head: #e8eef5; }
        html { font-family: 'Noto Sans CJK JP', 'IPAexGothic', sans-serif; color: var(--ink); font-size: 10.5pt; line-height: 1.65; }
        body { max-width: 180mm; margin: 0 auto; padding: 1em; }
        .cover { margin: 4em 0 2em; text-align: center; }
        .cover .title { font-size: 20pt; margin: .3em 0; }
        .cover .survey { color: #444; }
        h2 { font-size: 15pt; border-bottom: 2px solid var(--ink); margin-top: 1.6em; }
        h3 { font-size: 13pt; margin-top: 1.5em; }
        h4 { font-size: 11.5pt; margin-top: 1.4em; }
        h5, h6 { font-size: 10.5pt; margin-top: 1.2em; }
        p { margin: .5em 0; text-indent: 0; }
        .narrative { text-indent: 1em; }
        .narrative.stale { background: #fff3cd; }
        .flag { color: #8a5300; font-size: 9pt; }
        figure { margin: 1em 0 1.4em; }
        figure.chart figcaption { text-align: center; font-weight: bold; margin-top: .2em; }
        thead tr.caption th { border: none; background: none; padding: 0 0 .3em; font-size: 10.5pt; font-weight: bold; text-align: center; white-space: normal; }
        .basis { display: block; font-weight: normal; font-size: 9pt; color: #333; text-align: right; }
        figure.chart .basis { text-align: center; }
        .cont.hidden { visibility: hidden; }
        .nw { white-space: nowrap; }
        .targets { display: none; }
        figure.chart svg { display: block; width: 100%; height: auto; }
        table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
        th, td { border: 1px solid var(--rule); padding: 2px 6px; vertical-align: top; text-align: left; }
        thead th { background: var(--head); text-align: center; vertical-align: middle; }
        td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        tr.total td { font-weight: bold; border-top: 2px solid var(--ink); }
        tr.group td { background: #f3f3f3; font-weight: bold; }
        figure.text td { padding: 4px 8px; }
        figure.matrix td.num { width: 8%; }
        figure.matrix thead th { white-space: nowrap; font-size: 9pt; }
        figure.matrix tbody th, figure.overview tbody th { font-weight: normal; background: #fafafa; }
        figure.choice table { width: auto; min-width: 60%; margin: 0 auto; }
        thead tr.group td { background: #f3f3f3; font-weight: bold; text-align: left; }
        .note { font-size: 9pt; color: #333; margin-top: .2em; }
        .notes ul { margin: .3em 0; padding-left: 1.4em; }
        .notes li.marked { list-style: none; }
        .questionnaire p { margin: .15em 0; }
        .questionnaire .q { font-weight: bold; margin-top: .8em; }
        .questionnaire .i1 { padding-left: 1.5em; }
        .questionnaire .i2 { padding-left: 3em; }
        .toc ol { list-style: none; padding-left: 0; }
        .toc li.l2 { padding-left: 1em; } .toc li.l3 { padding-left: 2em; } .toc li.l4 { padding-left: 3em; font-size: 9.5pt; }
        .toc .figures li { font-size: 9pt; }
        .toc a { color: inherit; text-decoration: none; }
        .toc.paged a { display: flex; align-items: baseline; }
        .toc.paged a::after { content: ""; flex: 1 1 1em; order: 2; border-bottom: 1px dotted #999; margin: 0 .3em; }
        .toc .page { order: 3; min-width: 2.5em; text-align: right; }
        @page { size: A4; }
        @media print {
          body { max-width: none; padding: 0; }
          .toc { break-after: page; }
          .break { break-before: page; }
          figure { break-inside: avoid; }
          figure.table.text, figure.table.listing, figure.table.respondents { break-inside: auto; }
          figure.table.cont { break-before: page; margin-top: 0; }
          tbody tr:nth-child(-n+2) { break-before: avoid; } /* the caption and header keep the first rows with them */
          tr, h2, h3, h4, h5 { break-inside: avoid; }
          h2, h3, h4, h5, figcaption { break-after: avoid; }
          figcaption, p.narrative { break-inside: avoid; }
          thead { display: table-header-group; }
          .narrative.stale { background: none; }
          .flag { display: none; }
          a { color: inherit; text-decoration: none; }
        }

        """;
}
