using Shirabe.Pdf;

namespace Shirabe.Reports;

/// <summary>
/// What the PDF's previous render says about its pages: the page of each heading, table and figure (for the contents)
/// and the rows where a table's page breaks (each part after the first is printed as 「（続き）」).
/// </summary>
public sealed class PageLayout
{
    /// <summary>Anchor (h3, tab-4, fig-2) → page number.</summary>
    public Dictionary<string, int> Pages { get; } = [];
    /// <summary>Table id → indexes of the rows that start a new page.</summary>
    public Dictionary<string, SortedSet<int>> Splits { get; } = [];
    /// <summary>Whether a render has been read: before that, charts are empty boxes of their size (nothing to print yet).</summary>
    public bool Measured { get; private set; }
    /// <summary>Charts drawn once for all passes.</summary>
    internal Dictionary<int, string> Svgs { get; } = [];

    /// <summary>Takes in where a render put things; true when the document must be rendered again.</summary>
    public bool Update(ReportDocument doc, IReadOnlyDictionary<string, PdfPlace> places)
    {
        var changed = !Measured;
        Measured = true;
        IEnumerable<string> anchors = doc.Headings.Where(h => h.Level <= 4).Select(h => h.Anchor)
            .Concat(doc.Tables.Where(t => t.Label is not null).Select(t => "tab-" + t.Number))
            .Concat(doc.Figures.Select(f => "fig-" + f.Number));
        foreach (var anchor in anchors)
        {
            if (!places.TryGetValue(anchor, out var place) || Pages.GetValueOrDefault(anchor) == place.Page) continue;
            Pages[anchor] = place.Page;
            changed = true;
        }

        var index = 0;
        foreach (var t in doc.Tables)
        {
            var id = HtmlReport.TableId(t, ++index);
            if (!Splits.TryGetValue(id, out var splits)) Splits[id] = splits = [];
            for (var i = 1; i < t.Rows.Count; i++)
            {
                if (splits.Contains(i)
                    || !places.TryGetValue($"{id}-r{i}", out var here) || !places.TryGetValue($"{id}-r{i - 1}", out var before)
                    || here.Page <= before.Page) continue;
                // A page broke the table before row i: the next part starts there, or at its group label if that was the last row.
                var start = t.Rows[i - 1].Kind == RowKind.Group && i - 1 > 0 && !splits.Contains(i - 1) ? i - 1 : i;
                changed |= splits.Add(start);
            }
        }
        return changed;
    }
}

/// <summary>
/// The report as PDF, printed by Chromium in passes on one page: the first shows where headings, captions and table
/// rows land (PDF destinations; it paints nothing and its charts are empty boxes of their size, drawn meanwhile), the
/// next prints the charts, the contents' page numbers, and splits tables where the pages break.
/// It stops as soon as a render agrees with what it was given (normally the second), at most <see cref="MaxPasses"/>.
/// </summary>
public static class ReportPdf
{
    public const int MaxPasses = 3;

    public static async Task<byte[]> RenderAsync(ReportDocument doc, ChromiumPdf chromium, IProgress<string>? progress,
        CancellationToken cancel, TimeSpan? timeout)
    {
        var layout = new PageLayout();
        var measure = new PdfPass(HtmlReport.Render(doc, progress, layout), MeasureOnly: true);
        progress?.Report("Chromium で PDF に変換中…");
        // The charts are drawn (ScottPlot, on this process's threads) while Chromium lays out the first pass.
        var charts = Task.Run(() =>
        {
            foreach (var f in doc.Figures)
            {
                cancel.ThrowIfCancellationRequested();
                layout.Svgs[f.Number] = HtmlReport.Chart(doc, f);
            }
        }, cancel);
        var passes = 0;
        try
        {
            return await chromium.RenderPassesAsync(measure, async pdf =>
            {
                if (!layout.Update(doc, PdfDestinations.Read(pdf)) || ++passes >= MaxPasses) return null;
                progress?.Report("目次のページ番号と表の改ページを反映中…");
                await charts;
                return new PdfPass(HtmlReport.Render(doc, progress, layout));
            }, ChromiumPdf.PageNumberFooter, cancel, timeout);
        }
        finally
        {
            // A failed print does not leave the drawing running; its own failure, if any, was thrown above.
            await charts.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
