using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Pdf;

namespace Shirabe.Reports;

public enum ReportFormat { Html, Pdf, Docx, Xlsx }

/// <summary>
/// A built report written as a file in one format: the one path for `shirabe report` (<see cref="ReportRun"/>) and the
/// console's downloads (Admin/ReportJobs.cs).
/// </summary>
public static class ReportOutput
{
    /// <summary>How long Chromium may take to print the PDF unless told otherwise.</summary>
    public static readonly TimeSpan PdfTimeout = TimeSpan.FromMinutes(10);

    /// <param name="responses">The responses again, for the XLSX's raw-data sheet (read only for that format).</param>
    /// <param name="includePersonal">Whether personal items go into the raw-data sheet.</param>
    /// <param name="chromium">Prints the PDF (the server's shared one, or the one `shirabe report` started while tabulating); unused for other formats.</param>
    public static async Task WriteAsync(ReportDocument doc, ReportFormat format, Stream output, Survey survey,
        Func<IEnumerable<Response>> responses, bool includePersonal, ChromiumPdf? chromium, TimeSpan pdfTimeout,
        IProgress<string>? progress, CancellationToken cancel)
    {
        switch (format)
        {
            case ReportFormat.Html:
                await WriteText(output, HtmlReport.Render(doc, progress), cancel);
                break;
            case ReportFormat.Pdf:
                ArgumentNullException.ThrowIfNull(chromium);
                await output.WriteAsync(await ReportPdf.RenderAsync(doc, chromium, progress, cancel, pdfTimeout), cancel);
                break;
            case ReportFormat.Docx:
                DocxReport.Write(doc, output, progress);
                break;
            case ReportFormat.Xlsx:
                XlsxReport.Write(doc, survey, responses(), output, progress, includePersonal);
                break;
        }
    }

    private static async Task WriteText(Stream output, string text, CancellationToken cancel)
    {
        await using var w = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true);
        await w.WriteAsync(text.AsMemory(), cancel);
    }
}
