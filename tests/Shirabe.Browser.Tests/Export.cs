using System.Diagnostics;
using System.Text;

namespace Shirabe.Browser.Tests;

/// <summary>
/// `shirabe export` run as the secretariat runs it: the built program (shirabe.dll next to the tests) on the test's
/// database, and the raw records of the file it writes.
/// </summary>
public static class Export
{
    public static async Task<byte[]> RunCliAsync(ShirabeServer server, string? survey = null)
    {
        var output = Path.Combine(server.Directory, $"export-{Guid.NewGuid():N}.csv");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "shirabe.dll"), "export",
                     "--db", server.DbConnection, "--survey", survey ?? Sc3.SurveyDir, "--responses", output })
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"shirabe export failed ({process.ExitCode}): {await stdout} {await stderr}");
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>
    /// Splits a responses file (UTF-8 with BOM, CRLF between records, LF only inside quoted fields) into its header
    /// and its records keyed by id. Records are kept as the exact text between the CRLFs.
    /// </summary>
    public static (string Header, Dictionary<string, string> Records) Records(byte[] file)
    {
        var bom = Encoding.UTF8.GetPreamble();
        Assert.True(file.AsSpan().StartsWith(bom), "The responses file must start with the UTF-8 BOM.");
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file, bom.Length, file.Length - bom.Length);
        Assert.EndsWith("\r\n", text);
        var lines = text[..^2].Split("\r\n");
        return (lines[0], lines.Skip(1).ToDictionary(l => l[..l.IndexOf(',')], StringComparer.Ordinal));
    }

    /// <summary>A record's fields after id and submitted_at (neither is ever quoted), exactly as written.</summary>
    public static string AnswerFields(string record) => record[(record.IndexOf(',', record.IndexOf(',') + 1) + 1)..];

    public static DateTimeOffset SubmittedAt(string record)
    {
        var first = record.IndexOf(',');
        var text = record[(first + 1)..record.IndexOf(',', first + 1)];
        Assert.True(Core.Responses.ResponsesCsv.TryParseTimestamp(text, out var at), $"submitted_at 「{text}」");
        return at;
    }

    /// <summary>
    /// Asserts that the export holds a record for <paramref name="exportedId"/> whose answer columns (every column but
    /// id and submitted_at) are byte for byte those of reconstructed respondent <paramref name="originalId"/>, and
    /// whose submitted_at is the app's clock at submission.
    /// </summary>
    public static void AssertSameAnswers(byte[] export, string exportedId, string originalId, DateTimeOffset from, DateTimeOffset to,
        string? responses = null)
    {
        var (header, records) = Records(export);
        var (originalHeader, originals) = Records(File.ReadAllBytes(responses ?? Sc3.ResponsesPath));
        Assert.Equal(originalHeader, header);
        Assert.True(records.TryGetValue(exportedId, out var record), $"No exported row has id {exportedId}.");
        var expected = Encoding.UTF8.GetBytes(AnswerFields(originals[originalId]));
        var actual = Encoding.UTF8.GetBytes(AnswerFields(record));
        if (!expected.SequenceEqual(actual))
        {
            // Name the first column that differs, for a readable failure.
            var columns = header.Split(',').Skip(2).ToArray();
            var e = ReadFields(AnswerFields(originals[originalId]));
            var a = ReadFields(AnswerFields(record));
            var diffs = columns.Select((c, i) => (c, e.ElementAtOrDefault(i), a.ElementAtOrDefault(i)))
                .Where(d => d.Item2 != d.Item3).Select(d => $"{d.c}: expected «{d.Item2}», exported «{d.Item3}»");
            Assert.Fail($"Exported row {exportedId} differs from {originalId}:\n" + string.Join("\n", diffs));
        }
        var at = SubmittedAt(record);
        Assert.InRange(at, from.AddSeconds(-1), to.AddSeconds(1));
    }

    /// <summary>The fields of a canonical record (quotes only around fields holding , " CR or LF).</summary>
    public static List<string> ReadFields(string record)
    {
        var fields = new List<string>();
        var i = 0;
        while (i <= record.Length)
        {
            if (i < record.Length && record[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (record[i] == '"' && i + 1 < record.Length && record[i + 1] == '"') { sb.Append('"'); i += 2; }
                    else if (record[i] == '"') { i++; break; }
                    else sb.Append(record[i++]);
                }
                fields.Add(sb.ToString());
                i++; // the comma
            }
            else
            {
                var end = record.IndexOf(',', i);
                if (end < 0) end = record.Length;
                fields.Add(record[i..end]);
                i = end + 1;
            }
        }
        return fields;
    }
}
