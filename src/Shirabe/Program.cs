using System.Globalization;
using Shirabe.Cli;

namespace Shirabe;

/// <summary>One executable: the web server (`shirabe serve`) and the analysts' command line.</summary>
public sealed class Program
{
    public static async Task<int> Main(string[] args)
    {
        // WebApplicationFactory (and other hosting tools) call Main with host arguments only: give them the web host.
        if (args.Length > 0 && args.All(a => a.StartsWith("--", StringComparison.Ordinal))
            && args.Any(a => a.StartsWith("--applicationName", StringComparison.OrdinalIgnoreCase)
                          || a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)))
        {
            await ShirabeApp.Build(args).RunAsync();
            return 0;
        }
        // Japanese formatting and the library's own ja texts where ours do not replace them.
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("ja-JP");
        return await ShirabeCommands.RunAsync(args);
    }
}
