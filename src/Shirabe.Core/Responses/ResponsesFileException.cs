namespace Shirabe.Core.Responses;

/// <summary>
/// One problem in a responses file. <see cref="Row"/> is the record number as Excel shows it (the header is row 1);
/// <see cref="Column"/> and <see cref="Value"/> are null when the problem is about the whole row or file.
/// </summary>
public sealed record ResponsesProblem(long Row, string? Column, string? Value, string Message)
{
    public override string ToString()
    {
        var where = Row > 0 ? $"{Row} 行目" : "ファイル";
        if (Column is not null) where += $", 列 {Column}";
        if (Value is not null) where += $", 値「{Shorten(Value)}」";
        return $"{where}: {Message}";
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>A responses file that cannot be used. Nothing from it is imported or tabulated (the command says which).</summary>
public sealed class ResponsesFileException(IReadOnlyList<ResponsesProblem> problems, long omitted = 0)
    : UserError(Describe(problems, omitted))
{
    public IReadOnlyList<ResponsesProblem> Problems { get; } = problems;
    /// <summary>Problems found beyond the listing cap.</summary>
    public long Omitted { get; } = omitted;

    private static string Describe(IReadOnlyList<ResponsesProblem> problems, long omitted) =>
        $"回答ファイルに {problems.Count + omitted} 件の問題があります。\n"
        + string.Join("\n", problems)
        + (omitted > 0 ? $"\n…ほか {omitted} 件" : "");
}
