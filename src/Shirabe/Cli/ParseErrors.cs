using System.CommandLine;
using System.CommandLine.Parsing;

namespace Shirabe.Cli;

/// <summary>
/// The parser's complaints in Japanese, worked out from what was parsed rather than from its messages (some of
/// which its ja resources leave in English: "Option '--survey' is required.").
/// </summary>
internal static class ParseErrors
{
    public static IEnumerable<string> Describe(ParseResult parsed)
    {
        var said = new List<string>();
        var result = parsed.CommandResult;
        var command = result.Command;
        foreach (var token in parsed.UnmatchedTokens)
            said.Add($"「{token}」というコマンドやオプションはありません。");
        foreach (var error in parsed.Errors)
        {
            var message = error.SymbolResult switch
            {
                OptionResult o => OptionProblem(o),
                ArgumentResult { Parent: OptionResult o } => OptionProblem(o),
                ArgumentResult a => ArgumentProblem(a.Argument, a.Tokens.Select(t => t.Value).ToList()),
                _ => null,
            };
            if (message is not null) said.Add(message);
        }
        foreach (var option in command.Options.Where(o => o.Required && parsed.GetResult(o) is null))
            said.Add(Required(option));
        foreach (var argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && parsed.GetResult(a) is not { Tokens.Count: > 0 }))
            said.Add($"引数 <{argument.HelpName ?? argument.Name}> を指定してください。");
        if (command.Action is null && command.Subcommands.Count > 0)
            said.Add($"コマンドを指定してください（{string.Join("、", command.Subcommands.Select(c => c.Name))}）。");
        // Whatever else the parser found (it is in its own words, possibly English) rather than nothing.
        if (said.Count == 0) said.AddRange(parsed.Errors.Select(e => "コマンドラインが正しくありません: " + e.Message));
        return said.Distinct();
    }

    private static string? OptionProblem(OptionResult o)
    {
        // A required option that was not typed has a result without its name.
        if (o.IdentifierToken is null) return o.Option.Required ? Required(o.Option) : null;
        var values = o.Tokens.Select(t => t.Value).ToList();
        if (values.Count == 0)
            return o.Option.Arity.MinimumNumberOfValues > 0 ? $"オプション {o.Option.Name} の値を指定してください。" : null;
        return ValueProblem($"オプション {o.Option.Name}", o.Option.ValueType,
            o.Option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList(), values);
    }

    private static string Required(Option option) => $"オプション {option.Name} を指定してください（必須です）。";

    private static string? ArgumentProblem(Argument a, List<string> values) =>
        values.Count == 0 ? null
            : ValueProblem($"引数 <{a.HelpName ?? a.Name}>", a.ValueType,
                a.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList(), values);

    private static string ValueProblem(string what, Type type, List<string> choices, List<string> values)
    {
        var value = string.Join(" ", values);
        if (choices.Count > 0) return $"{what} の値「{value}」は使えません（{string.Join("、", choices)} のいずれか）。";
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long)) return $"{what} の値「{value}」は整数で指定してください。";
        if (t == typeof(double) || t == typeof(decimal)) return $"{what} の値「{value}」は数で指定してください。";
        return $"{what} の値「{value}」は使えません。";
    }
}
