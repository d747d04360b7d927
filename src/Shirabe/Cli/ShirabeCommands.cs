using System.CommandLine;

namespace Shirabe.Cli;

/// <summary>The command line. Each feature adds its command here; docs/cli.md documents them.</summary>
public static class ShirabeCommands
{
    public static RootCommand Root()
    {
        var root = new RootCommand("Shirabe（調べ）: 業界団体アンケートの調査票・回収・集計・報告書");
        root.Subcommands.Add(SurveyCommands.Command());
        root.Subcommands.Add(Tabulate.TabulateCommand.Command());
        foreach (var command in WebCommands.Commands()) root.Subcommands.Add(command);
        root.Subcommands.Add(Tabulate.GenerateCommand.Command());
        root.Subcommands.Add(ReportCommands.Command());
        root.Subcommands.Add(AdminCommands.Command());
        return root;
    }

    /// <summary>
    /// Errors a user can fix (a broken definition or responses file, a missing or unwritable file, a bad argument, a
    /// refused operation such as importing twice): their message is meant for the user.
    /// </summary>
    public static bool IsUserError(Exception e) =>
        e is Core.Questionnaire.SurveyDefinitionException or Core.Reports.ReportDefinitionException
            or Core.Responses.ResponsesFileException or IOException or UnauthorizedAccessException
            or ArgumentException or InvalidOperationException;

    /// <summary>Runs a command body, turning the errors a user can fix into a message on stderr and exit code 2.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
