using System.Text;

namespace Shirabe.Core.Responses;

/// <summary>Options for reading a responses file.</summary>
public sealed record ResponsesReadOptions
{
    /// <summary>The file's encoding. Null means UTF-8 (with or without BOM), strictly checked.</summary>
    public Encoding? Encoding { get; init; }
    /// <summary>How many problems are listed; the rest are counted.</summary>
    public int MaxProblems { get; init; } = 1000;
    /// <summary>
    /// Reuse one answers array for every row: each yielded <see cref="Response"/>'s <see cref="Response.Answers"/> is
    /// overwritten by the next row. For consumers that look at a row once and keep nothing of it but strings
    /// (tabulation); it saves an array per row. Never set it when the rows are kept (an import, a list).
    /// </summary>
    public bool ReuseAnswers { get; init; }

    /// <summary>Resolves an encoding option: utf-8, cp932 / shift_jis / sjis.</summary>
    public static Encoding ParseEncoding(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return name.ToLowerInvariant() switch
        {
            "utf-8" or "utf8" => StrictUtf8,
            "cp932" or "shift_jis" or "shift-jis" or "sjis" or "windows-31j" =>
                Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
            _ => throw new UserError($"文字コード「{name}」には対応していません（utf-8 または cp932）。"),
        };
    }

    internal static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
