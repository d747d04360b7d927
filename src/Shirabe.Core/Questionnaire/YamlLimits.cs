using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Shirabe.Core.Questionnaire;

/// <summary>
/// Bounds on a definition file checked before it is loaded, so that a hostile or broken file fails with a message
/// instead of exhausting memory (an alias "billion laughs") or the stack (deep nesting): the YAML tree loaders recurse
/// and expand aliases, the event parser used here does neither.
/// </summary>
public static class YamlLimits
{
    /// <summary>The largest definition file read (the SC3 files are under 20 KB).</summary>
    public const long MaxFileBytes = 1 << 20;
    /// <summary>The deepest nesting of mappings and sequences (the formats need fewer than 10).</summary>
    public const int MaxDepth = 64;
    /// <summary>The most nodes the document may hold once every alias is expanded.</summary>
    public const long MaxNodes = 200_000;

    /// <summary>A problem with <paramref name="yaml"/>'s size, depth or alias expansion, with its line and column; null when within bounds.</summary>
    public static (long Line, long Column, string Message)? Check(string yaml)
    {
        if (yaml.Length > MaxFileBytes)
            return (1, 1, $"ファイルが大きすぎます（{yaml.Length.ToString("#,0", CultureInfo.InvariantCulture)} 文字。上限は {MaxFileBytes:#,0} 文字）。");
        var parser = new Parser(new StringReader(yaml));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long Start)>();
        long nodes = 0;
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                switch (e)
                {
                    case Scalar s:
                        nodes++;
                        if (!s.Anchor.IsEmpty) sizes[s.Anchor.Value] = 1;
                        break;
                    case AnchorAlias a:
                        nodes += sizes.GetValueOrDefault(a.Value.Value, 1);
                        break;
                    case MappingStart or SequenceStart:
                        if (open.Count >= MaxDepth)
                            return (e.Start.Line, e.Start.Column, $"入れ子が深すぎます（上限は {MaxDepth} 段）。");
                        nodes++;
                        var anchor = ((NodeEvent)e).Anchor;
                        open.Push((anchor.IsEmpty ? null : anchor.Value, nodes));
                        break;
                    case MappingEnd or SequenceEnd:
                        var (name, start) = open.Pop();
                        if (name is not null) sizes[name] = nodes - start + 1;
                        break;
                }
                if (nodes > MaxNodes)
                    return (e.Start.Line, e.Start.Column,
                        $"別名（*エイリアス）を展開すると要素が多すぎます（上限は {MaxNodes:#,0} 個）。アンカーと別名の使い方を見直してください。");
            }
        }
        catch (YamlException)
        {
            return null; // a syntax error: the loader reports it with its own message and position
        }
        return null;
    }

    /// <summary>Reads a definition file after checking its size on disk, so that a huge file is never read whole.</summary>
    public static string ReadFile(string file, Func<string, Exception> tooLarge)
    {
        var length = new FileInfo(file).Length;
        if (length > MaxFileBytes)
            throw tooLarge($"ファイルが大きすぎます（{length.ToString("#,0", CultureInfo.InvariantCulture)} バイト。上限は {MaxFileBytes:#,0} バイト）。");
        return File.ReadAllText(file);
    }
}
