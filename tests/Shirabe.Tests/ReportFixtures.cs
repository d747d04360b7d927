using System.Diagnostics;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The project's own SC3 survey, report layout and reconstructed responses, and helpers to render them.</summary>
public static class ReportFixtures
{
    public static readonly string SurveyDir = Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2023");
    public static readonly string ResponsesPath = Path.Combine(SurveyDir, "responses-2023.csv");

    public static Survey Survey() => SurveyLoader.LoadFile(SurveyDir);

    public static ReportDefinition Definition(Survey survey) => ReportDefinitionLoader.LoadFile(SurveyDir, survey);

    /// <summary>A run over <paramref name="responsesPath"/> (the SC3 responses by default) with the given edits (none by default).</summary>
    public static ReportRun Run(string? responsesPath = null, ReportEdits? edits = null)
    {
        var survey = Survey();
        return new ReportRun
        {
            Survey = survey,
            Definition = Definition(survey),
            ResponsesPath = responsesPath ?? ResponsesPath,
            Edits = edits ?? new ReportEdits(),
        };
    }

    public static async Task<byte[]> RenderAsync(ReportRun run, ReportFormat format)
    {
        using var ms = new MemoryStream();
        await run.WriteAsync(format, ms);
        return ms.ToArray();
    }

    /// <summary>The SC3 responses with some answers replaced, written to a temporary responses file.</summary>
    public static string ResponsesWith(Func<Response, Survey, Response> change)
    {
        var survey = Survey();
        List<Response> list;
        using (var s = File.OpenRead(ResponsesPath)) list = ResponsesCsv.Read(s, survey).ToList();
        var path = Path.Combine(Path.GetTempPath(), "shirabe-report-" + Guid.NewGuid().ToString("N") + ".csv");
        using (var o = File.Create(path)) ResponsesCsv.Write(o, survey, list.Select(r => change(r, survey)));
        return path;
    }

    public static Response WithText(Response r, Survey survey, string code, string text)
    {
        var answers = (Answer[])r.Answers.Clone();
        answers[survey[code].Index] = Answer.FromText(text);
        return r with { Answers = answers };
    }

    /// <summary>Runs a tool (pdftotext, pdftoppm) and returns its stdout.</summary>
    public static string Tool(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {p.StandardError.ReadToEnd()}");
        return output;
    }

    /// <summary>Text without any whitespace: table cells and wrapped lines compare regardless of layout.</summary>
    public static string Compact(string s) => new(s.Where(c => !char.IsWhiteSpace(c)).ToArray());
}
