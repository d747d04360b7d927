using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;
using Shirabe.Core;

namespace Shirabe.Cli;

/// <summary>
/// The command line. Each feature adds its command here; docs/cli.md documents them. <see cref="RunAsync"/> is the one
/// entry (Program.Main and the tests): Japanese help and parse errors, and one error contract for every command.
/// </summary>
public static class ShirabeCommands
{
    /// <summary>What a command did not do when it fails, said after the problem (「集計結果は出力していません。」).</summary>
    private static readonly ConditionalWeakTable<Command, string> NotDone = [];

    public static RootCommand Root()
    {
        var root = new RootCommand("Shirabe（調べ）: アンケートの調査票・回収・集計・報告書");
        root.Subcommands.Add(SurveyCommands.Command());
        root.Subcommands.Add(TabulateCommand.Command());
        foreach (var command in WebCommands.Commands()) root.Subcommands.Add(command);
        foreach (var command in Fieldwork.TransferCommands.Commands()) root.Subcommands.Add(command);
        foreach (var command in Fieldwork.RosterCommands.Commands()) root.Subcommands.Add(command);
        root.Subcommands.Add(ResponsesCommands.Command());
        root.Subcommands.Add(ReportCommands.Command());
        root.Subcommands.Add(AdminCommands.Command());
        root.Subcommands.Add(Fieldwork.Mail.MailCommands.Command());
        foreach (var option in root.Options)
        {
            if (option is HelpOption help)
            {
                help.Description = "使い方を表示します";
                help.Action = new JapaneseHelp();
            }
            else if (option is VersionOption version) version.Description = "バージョンを表示します";
        }
        return root;
    }

    /// <summary>Records what <paramref name="command"/> leaves undone when it fails; returns the command.</summary>
    public static Command OnFailure(this Command command, string notDone)
    {
        NotDone.AddOrUpdate(command, notDone);
        return command;
    }

    public static TextWriter Out(this ParseResult r) => r.InvocationConfiguration.Output;
    public static TextWriter Err(this ParseResult r) => r.InvocationConfiguration.Error;

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Exit codes (docs/cli.md): 0 done; 1 the command line is wrong, or an
    /// unexpected error (a bug: its stack trace is shown); 2 a <see cref="UserError"/> or a file that cannot be read or
    /// written: one message saying what to fix and what was not done.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        CancellationToken cancel = default) => RunAsync(Root(), args, output, error, cancel);

    /// <summary>As <see cref="RunAsync(string[], TextWriter?, TextWriter?, CancellationToken)"/> with another command tree (tests).</summary>
    internal static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null,
        CancellationToken cancel = default)
    {
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        var parsed = root.Parse(args);
        // A server stops when its host says so (SIGTERM, Ctrl+C: requests drained, services disposed, Chromium and its
        // profile gone), not when System.CommandLine's 2 s after the signal are up (docs/decisions/076).
        if (WebCommands.HostsOwnStop(parsed.CommandResult.Command)) config.ProcessTerminationTimeout = null;
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var message in ParseErrors.Describe(parsed)) config.Error.WriteLine(message);
            config.Error.WriteLine($"使い方は「{CommandPath(parsed.CommandResult)} --help」で表示します。");
            return 1;
        }
        try
        {
            return await parsed.InvokeAsync(config, cancel);
        }
        catch (Exception e) when (UserMessage(e) is { } message)
        {
            config.Error.WriteLine(message);
            var command = parsed.CommandResult.Command;
            if (NotDone.TryGetValue(command, out var notDone)) config.Error.WriteLine(notDone);
            return 2;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            config.Error.WriteLine("中断しました。");
            return 1;
        }
        catch (Exception e)
        {
            config.Error.WriteLine("予期しないエラーが発生しました（プログラムの不具合です。以下を開発者に伝えてください）:");
            config.Error.WriteLine(e.ToString());
            return 1;
        }
    }

    /// <summary>The message for an error the user can fix, or null for a bug.</summary>
    private static string? UserMessage(Exception e) => e switch
    {
        UserError => e.Message,
        FileNotFoundException f => $"ファイルがありません: {f.FileName ?? e.Message}",
        DirectoryNotFoundException => $"フォルダがありません（{e.Message}）。",
        UnauthorizedAccessException => $"ファイルを読み書きする権限がありません（{e.Message}）。",
        IOException => $"ファイルを読み書きできません（{e.Message}）。",
        _ => null,
    };

    internal static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
            names.Add(c.Command is RootCommand ? "shirabe" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
