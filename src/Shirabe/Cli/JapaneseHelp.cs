using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;

namespace Shirabe.Cli;

/// <summary>
/// `--help` in Japanese. System.CommandLine's own help keeps "Description:", "(REQUIRED)" and "[default: …]" in
/// English even with its ja resources, so the help is written here.
/// </summary>
internal sealed class JapaneseHelp : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        Write(parseResult.CommandResult.Command, ShirabeCommands.CommandPath(parseResult.CommandResult), parseResult.Out());
        return 0;
    }

    internal static void Write(Command command, string path, TextWriter w)
    {
        if (command.Description is { Length: > 0 } description)
        {
            w.WriteLine("説明:");
            w.WriteLine("  " + description);
            w.WriteLine();
        }
        var usage = path + string.Concat(command.Arguments.Where(a => !a.Hidden).Select(a => $" <{a.HelpName ?? a.Name}>"));
        if (command.Subcommands.Count > 0) usage += " [コマンド]";
        w.WriteLine("使用法:");
        w.WriteLine("  " + usage + " [オプション]");
        w.WriteLine();

        Section(w, "引数:", command.Arguments.Where(a => !a.Hidden)
            .Select(a => ($"<{a.HelpName ?? a.Name}>", a.Description ?? "")));
        // The command's own options, then the ones every command inherits (--help).
        var options = command.Options.Concat(Ancestors(command).SelectMany(c => c.Options).Where(o => o.Recursive))
            .Where(o => !o.Hidden).Distinct();
        Section(w, "オプション:", options.Select(o => (OptionLabel(o), OptionDescription(o))));
        Section(w, "コマンド:", command.Subcommands.Where(c => !c.Hidden)
            .Select(c => (c.Name + string.Concat(c.Arguments.Select(a => $" <{a.HelpName ?? a.Name}>")), c.Description ?? "")));
    }

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null;
             parent = parent.Parents.OfType<Command>().FirstOrDefault())
            yield return parent;
    }

    private static string OptionLabel(Option o)
    {
        var names = string.Join(", ", o.Aliases.Where(a => !a.StartsWith('/')).Order(StringComparer.Ordinal).Append(o.Name));
        if (IsFlag(o)) return names;
        var choices = o.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList();
        var value = o.HelpName ?? (choices.Count > 0 ? string.Join('|', choices) : o.Name.TrimStart('-'));
        return $"{names} <{value}>";
    }

    private static string OptionDescription(Option o)
    {
        var text = o.Description ?? "";
        if (o.Required) text = "（必須）" + text;
        if (o.HasDefaultValue && !IsFlag(o) && o.GetDefaultValue() is { } d and not Array)
            text += $" [既定: {Convert.ToString(d, CultureInfo.InvariantCulture)}]";
        return text;
    }

    /// <summary>An option given by its name alone (--help, --include-personal).</summary>
    private static bool IsFlag(Option o) => o.Arity.MaximumNumberOfValues == 0 || o.ValueType == typeof(bool);

    private static void Section(TextWriter w, string title, IEnumerable<(string Label, string Description)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0) return;
        w.WriteLine(title);
        var width = list.Max(r => Width(r.Label)) + 2;
        foreach (var (label, description) in list)
            w.WriteLine("  " + label + new string(' ', width - Width(label)) + description);
        w.WriteLine();
    }

    /// <summary>Display width: full-width characters take two columns in a terminal.</summary>
    private static int Width(string s) => s.Sum(c => c >= '\u1100' ? 2 : 1);
}
