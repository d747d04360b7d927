using System.CommandLine;
using Shirabe.Cli;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>`shirabe mail send`: drains the outbox once, without a server (docs/cli.md).</summary>
public static class MailCommands
{
    public static Command Command()
    {
        var db = WebCommands.DbOption();
        var send = new Command("send",
            "送信待ちのメールを一度だけ送信します（SMTP が未設定なら data/mail/ に .eml ファイルとして書き出します）") { db };
        send.SetAction(async (r, cancel) =>
        {
            var config = Configuration(r.GetValue(db));
            var shirabe = ShirabeSettings.From(config);
            var settings = MailSettings.Load(config, shirabe.DataDir);
            var database = new Database(shirabe.Db, shirabe.DataDir);
            await database.MigrateAsync(cancel);
            var output = r.Out();
            output.WriteLine($"{database.Describe()}: {settings.Describe()}");
            var bar = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            var result = await new MailDrain(database, settings, TimeProvider.System)
                .RunAsync(new SyncProgress(p => Report(output, p, bar)), cancel);
            if (bar && result.Sent + result.Retrying + result.GivenUp > 0) output.WriteLine();
            output.WriteLine(Summary(result, settings));
            return 0;
        });
        send.OnFailure("送信待ちのメールは残っています（送信済みのものは記録済みです）。");
        return new Command("mail", "メール（案内・督促・受付通知）の送信を管理します") { send };
    }

    /// <summary>The configuration `serve` would read for these keys: appsettings.json next to the program, then the environment.</summary>
    private static ConfigurationManager Configuration(string? db)
    {
        var config = new ConfigurationManager();
        config.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        config.AddEnvironmentVariables();
        if (db is not null) config["Shirabe:Db"] = db;
        return config;
    }

    private static void Report(TextWriter output, MailProgress p, bool bar)
    {
        var result = p.Result switch
        {
            MailStatus.Sent => "送信",
            MailStatus.Failed => "一時的な失敗（後で再送）",
            _ => "送信不能",
        };
        if (!bar)
        {
            output.WriteLine($"[{p.Done}/{p.Total}] {result}: {p.To}「{p.Subject}」 {p.Reply}");
            return;
        }
        const int width = 30;
        var filled = p.Total == 0 ? width : p.Done * width / p.Total;
        output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {p.Done}/{p.Total}");
    }

    public static string Summary(DrainResult r, MailSettings settings)
    {
        var text = $"送信 {r.Sent} 通、一時的な失敗 {r.Retrying} 通、送信不能 {r.GivenUp} 通。";
        if (r.HeldBack > 0) text += $"送信上限（{settings.PerMinute} 通/分、{settings.PerDay} 通/日）により {r.HeldBack} 通を保留しました。";
        if (r.Waiting > 0 && r.NextAttemptAt is { } next)
            text += $"送信待ち {r.Waiting} 通（次の送信は {next.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm} 以降、もう一度 mail send を実行してください）。";
        return text;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SyncProgress(Action<MailProgress> report) : IProgress<MailProgress>
    {
        public void Report(MailProgress value) => report(value);
    }
}
