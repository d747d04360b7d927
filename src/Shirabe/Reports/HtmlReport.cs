using System.Net;
using System.Text;
using Shirabe.Core.Responses;

namespace Shirabe.Reports;

/// <summary>
/// The report as one HTML page with a print stylesheet (A4); the PDF is this page printed by Chromium. Every text from
/// the data is HTML-escaped; charts are inline SVG (searchable, crisp in print).
/// </summary>
public static class HtmlReport
{
    /// <summary>The fonts the page asks for: Noto Sans CJK JP (embedded by Chromium in the PDF), then IPAexGothic.</summary>
    public const string FontStack = "'Noto Sans CJK JP', 'IPAexGothic', sans-serif";

    public static string Render(ReportDocument doc, IProgress<string>? progress = null)
    {
        var h = new StringBuilder(256 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(doc.Title)).Append("</title>\n<style>\n")
            .Append(Css).Append("</style>\n</head>\n<body>\n");
        h.Append("<header class=\"cover\"><p class=\"survey\">").Append(E(doc.SurveyTitle)).Append("</p><h1 class=\"title\">")
            .Append(E(doc.Title)).Append("</h1></header>\n");
        Toc(h, doc);

        var figures = doc.Figures.Count();
        var drawn = 0;
        foreach (var block in doc.Blocks)
        {
            switch (block)
            {
                case HeadingBlock b:
                    var tag = "h" + Math.Min(6, b.Level + 1);
                    h.Append('<').Append(tag).Append(" id=\"").Append(b.Anchor).Append('"')
                        .Append(b.PageBreak ? " class=\"break\"" : "").Append('>').Append(E(b.Full)).Append("</").Append(tag).Append(">\n");
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
                    Table(h, t);
                    break;
                case FigureBlock f:
                    progress?.Report($"図を作成中（{++drawn}/{figures}）");
                    h.Append("<figure class=\"chart\" id=\"fig-").Append(f.Number).Append("\">")
                        .Append(Charts.Svg(f.Chart, $"f{f.Number}-"))
                        .Append("<figcaption>").Append(E(f.FullCaption)).Append("</figcaption></figure>\n");
                    break;
                case NotesBlock nb:
                    h.Append("<div class=\"notes\">");
                    if (nb.Title is not null) h.Append("<p>").Append(E(nb.Title)).Append("</p>");
                    h.Append("<ul>");
                    foreach (var i in nb.Items) h.Append("<li>").Append(Lines(i)).Append("</li>");
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
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    private static void Toc(StringBuilder h, ReportDocument doc)
    {
        h.Append("<nav class=\"toc\"><h2>目次</h2><ol>\n");
        foreach (var b in doc.Headings.Where(b => b.Level <= 4))
            h.Append("<li class=\"l").Append(b.Level).Append("\"><a href=\"#").Append(b.Anchor).Append("\">").Append(E(b.Full)).Append("</a></li>\n");
        h.Append("</ol>\n<h2>図表一覧</h2><ol class=\"figures\">\n");
        foreach (var b in doc.Blocks)
        {
            if (b is TableBlock { Label: not null } t)
                h.Append("<li><a href=\"#tab-").Append(t.Number).Append("\">").Append(E(t.FullCaption)).Append("</a></li>\n");
            else if (b is FigureBlock f)
                h.Append("<li><a href=\"#fig-").Append(f.Number).Append("\">").Append(E(f.FullCaption)).Append("</a></li>\n");
        }
        h.Append("</ol></nav>\n");
    }

    private static void Table(StringBuilder h, TableBlock t)
    {
        h.Append("<figure class=\"table ").Append(t.Kind.ToString().ToLowerInvariant()).Append('"');
        if (t.Number is { } n) h.Append(" id=\"tab-").Append(n).Append('"');
        h.Append('>');
        if (t.Caption.Length > 0) h.Append("<figcaption>").Append(E(t.FullCaption)).Append("</figcaption>");
        h.Append("<table>");
        if (t.Header.Count > 0)
        {
            h.Append("<thead>");
            foreach (var row in t.Header)
            {
                h.Append("<tr>");
                foreach (var c in row)
                    h.Append("<th").Append(c.Span > 1 ? $" colspan=\"{c.Span}\"" : "").Append('>').Append(E(c.Text)).Append("</th>");
                h.Append("</tr>");
            }
            h.Append("</thead>");
        }
        h.Append("<tbody>");
        var columns = t.Columns;
        foreach (var row in t.Rows)
        {
            h.Append(row.Kind switch { RowKind.Total => "<tr class=\"total\">", RowKind.Group => "<tr class=\"group\">", _ => "<tr>" });
            for (var i = 0; i < row.Cells.Count; i++)
            {
                var c = row.Cells[i];
                var span = row.Kind == RowKind.Group && i == row.Cells.Count - 1 ? columns - i : 1;
                var tag = i == 0 && t.Kind is Core.Reports.TableKind.Overview or Core.Reports.TableKind.Matrix ? "th" : "td";
                h.Append('<').Append(tag);
                if (c.IsNumber || c.Text.StartsWith('(')) h.Append(" class=\"num\"");
                if (span > 1) h.Append(" colspan=\"").Append(span).Append('"');
                h.Append('>').Append(Lines(c.Text)).Append("</").Append(tag).Append('>');
            }
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table>");
        if (t.Note is not null) h.Append("<p class=\"note\">").Append(Lines(t.Note)).Append("</p>");
        h.Append("</figure>\n");
    }

    /// <summary>Escaped, without characters XML cannot hold (the rule every report writer shares).</summary>
    private static string E(string s) => WebUtility.HtmlEncode(XmlText.Clean(s));
    private static string Lines(string s) => E(s).Replace("\r\n", "\n").Replace("\n", "<br>");

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
        figure.table figcaption { text-align: center; font-weight: bold; margin-bottom: .3em; }
        figure.chart figcaption { text-align: center; font-weight: bold; margin-top: .2em; }
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
        .note { font-size: 9pt; color: #333; margin-top: .2em; }
        .notes ul { margin: .3em 0; padding-left: 1.4em; }
        .questionnaire p { margin: .15em 0; }
        .questionnaire .q { font-weight: bold; margin-top: .8em; }
        .questionnaire .i1 { padding-left: 1.5em; }
        .questionnaire .i2 { padding-left: 3em; }
        .toc ol { list-style: none; padding-left: 0; }
        .toc li.l2 { padding-left: 1em; } .toc li.l3 { padding-left: 2em; } .toc li.l4 { padding-left: 3em; font-size: 9.5pt; }
        .toc .figures li { font-size: 9pt; }
        .toc a { color: inherit; text-decoration: none; }
        @page { size: A4; }
        @media print {
          body { max-width: none; padding: 0; }
          .toc { break-after: page; }
          .break { break-before: page; }
          figure { break-inside: avoid; }
          figure.table.text, figure.table.listing, figure.table.respondents { break-inside: auto; }
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
