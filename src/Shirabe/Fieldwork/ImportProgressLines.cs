using System.Globalization;

namespace Shirabe.Fieldwork;

/// <summary>
/// Shows how far an import has got on standard error: one line rewritten in place on a terminal, plain lines (one per
/// tenth of the file, or per 10,000 rows when the size is unknown) when the output goes to a file or a pipe.
/// <paramref name="doing"/> names the work and <paramref name="shareOf"/> what the percentage is of.
/// </summary>
public sealed class ImportProgressLines(TextWriter output, bool terminal, string doing = "取り込み中", string shareOf = "ファイルの ") : IProgress<ResponsesTransfer.ImportProgress>, IDisposable
{
    private int _lastStep = -1;
    private bool _rewriting;

    public void Report(ResponsesTransfer.ImportProgress value)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{doing}: {value.Rows:N0} 件")
                   + (value.Share is { } s ? string.Create(CultureInfo.InvariantCulture, $"（{shareOf}{s * 100:0}%）") : "");
        if (terminal)
        {
            output.Write("\r" + text + "\u001b[K");
            _rewriting = true;
            return;
        }
        var step = value.Share is { } share ? (int)(share * 10) : value.Rows / 10_000;
        if (step == _lastStep) return;
        _lastStep = step;
        output.WriteLine(text);
    }

    /// <summary>Ends the rewritten line, so that what is printed next starts on its own line.</summary>
    public void Dispose()
    {
        if (_rewriting) output.WriteLine();
        _rewriting = false;
    }
}
