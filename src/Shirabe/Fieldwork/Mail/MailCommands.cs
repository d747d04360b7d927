using Microsoft.EntityFrameworkCore;
using System.CommandLine;
using Shirabe.Cli;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// `shirabe mail invite | remind | send | bounces`: queues invitations and reminders, drains the outbox once, reads the
/// bounce mailbox once (docs/cli.md).
/// </summary>
public static class MailCommands
{
    public static Command Command() =>
        new Command("mail", "メール（依頼・督促・受付通知）の作成と送信を管理します") { Invite(), Remind(), Send(), Bounces() };

    private static Option<string> SurveyOption() =>
        new("--survey") { Description = "調査の ID（survey.yaml の id。shirabe survey list で確認できます）", Required = true };

    private static Command Invite()
    {
        var db = WebCommands.DbOption();
        var survey = SurveyOption();
        var all = new Option<bool>("--all") { Description = "依頼メールを送ったことのある団体にも送り直す（既定は未送付の団体だけ）" };
        var cmd = new Command("invite",
            "依頼メールを作成して送信待ちにします（回答済み・宛先不明・メールアドレスのない団体を除く。送信は mail send かサーバーが行います）") { survey, all, db };
        cmd.SetAction(async (r, cancel) =>
        {
            await using var run = await Run.StartAsync(r, r.GetValue(db), cancel);
            var result = await run.Campaigns.QueueInvitationsAsync(r.GetValue(survey)!, onlyUninvited: !r.GetValue(all),
                progress: run.Progress("依頼メール"), cancel: cancel);
            run.Done(result, "依頼メール");
            return 0;
        });
        cmd.OnFailure("作成済みのメールは送信待ちに残っています（途中の団体から先は作成していません）。");
        return cmd;
    }

    private static Command Remind()
    {
        var db = WebCommands.DbOption();
        var survey = SurveyOption();
        var status = new Option<string>("--status")
        {
            Description = "督促する団体の状況: unopened（未開封）、draft（回答中（下書き））、または unopened,draft", Required = true,
        };
        var at = new Option<string?>("--at") { Description = "送信日時（調査のタイムゾーン、例 \"2023-12-01 09:00\"）。省略すると今すぐ" };
        var cmd = new Command("remind",
            "督促メールを作成して送信待ちにします（提出済み・宛先不明の団体には送りません）。--at を付けると予約し、その時刻にサーバーか mail send が作成します") { survey, status, at, db };
        cmd.SetAction(async (r, cancel) =>
        {
            var targets = ReminderTargets.FromText(r.GetValue(status));
            await using var run = await Run.StartAsync(r, r.GetValue(db), cancel);
            var stored = await run.Campaigns.SurveyAsync(r.GetValue(survey)!, cancel);
            DateTime? when = r.GetValue(at) is { } text ? ReminderTargets.ParseLocal(text, stored.Survey.Period.TimeZone) : null;
            if (when is { } w && w <= run.Clock.GetUtcNow().UtcDateTime)
                throw new Core.UserError($"送信日時「{r.GetValue(at)}」は過去の時刻です。今すぐ送るなら --at を省いてください。");
            var result = await run.Campaigns.QueueRemindersAsync(stored.Record.Id, targets, when, progress: run.Progress("督促メール"), cancel: cancel);
            if (result.Scheduled)
                r.Out().WriteLine($"督促メール（{string.Join("・", targets.Select(ReminderTargets.Label))}）を " +
                                  $"{stored.Survey.Period.ToLocal(result.Reminder!.ScheduledAt):yyyy-MM-dd HH:mm} に予約しました（予約番号 {result.Reminder.Id}）。" +
                                  "その時刻に動いているサーバー、またはその後の mail send が作成して送信します。");
            else run.Done(result, "督促メール");
            return 0;
        });
        cmd.OnFailure("督促メールは作成していません。");
        return cmd;
    }

    /// <summary>What invite and remind share: the database, the campaign service, progress lines.</summary>
    private sealed class Run(ParseResult r, ShirabeDb db, MailCampaigns campaigns, TimeProvider clock) : IAsyncDisposable
    {
        public MailCampaigns Campaigns => campaigns;
        public TimeProvider Clock => clock;
        private readonly bool _bar = ReferenceEquals(r.Out(), Console.Out) && !Console.IsOutputRedirected;

        public static async Task<Run> StartAsync(ParseResult r, string? dbText, CancellationToken cancel, bool describe = true)
        {
            var config = Configuration(dbText);
            var shirabe = ShirabeSettings.From(config);
            var settings = MailSettings.Load(config, shirabe.DataDir);
            var database = new Database(shirabe.Db, shirabe.DataDir);
            await database.MigrateAsync(cancel);
            var output = r.Out();
            PublicSite.ForCommandLine(config, database.Provider, output);
            var clock = shirabe.Now is { } now ? new ShiftedTimeProvider(now) : TimeProvider.System;
            var logs = LoggerFactory.Create(_ => { });
            var keys = LinkKeys.For(config, shirabe.DataDir, database, logs.CreateLogger<LinkKeys>());
            if (!keys.CanRecover) output.WriteLine(LinkKeys.NoKeyNotice);
            var db = database.CreateContext();
            var site = new PublicSite(config, new ServiceCollection().BuildServiceProvider());
            var campaigns = new MailCampaigns(db, new Outbox(db, settings, clock), new Surveys.SurveyCatalog(database, clock), keys, site,
                clock, logs.CreateLogger<MailCampaigns>());
            if (describe) output.WriteLine($"{database.Describe()}: {settings.Describe()}");
            return new Run(r, db, campaigns, clock);
        }

        public IProgress<CampaignProgress> Progress(string what) => new SyncProgress<CampaignProgress>(p =>
        {
            if (_bar) Bar(r.Out(), p.Done, p.Total);
            else r.Out().WriteLine($"[{p.Done}/{p.Total}] {what}を作成しました");
        });

        public void Done(CampaignResult result, string what)
        {
            var output = r.Out();
            if (_bar) output.WriteLine();
            output.WriteLine($"{what}を {result.Queued} 通作成し、送信待ちにしました。" +
                             (result.WithoutLink > 0 ? $"うち {result.WithoutLink} 通はリンクを再現できないため、最初のメールのリンクを案内する文にしました。" : "") +
                             "送信は実行中のサーバー、または shirabe mail send が行います。");
            if (result.Problems.Count > 0)
            {
                output.WriteLine($"作成できなかった団体（{result.Problems.Count} 件）:");
                foreach (var p in result.Problems) output.WriteLine("  " + p);
            }
        }

        public ValueTask DisposeAsync() => db.DisposeAsync();
    }

    private static Command Send()
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
            if (await AnyDueReminderAsync(database, shirabe, cancel))
            {
                await using var run = await Run.StartAsync(r, r.GetValue(db), cancel, describe: false);
                var due = await run.Campaigns.QueueDueRemindersAsync(cancel);
                if (due > 0) output.WriteLine($"予約の時刻が来た督促メールを {due} 通作成しました。");
            }
            var result = await new MailDrain(database, settings, TimeProvider.System)
                .RunAsync(new SyncProgress<MailProgress>(p => Report(output, p, bar)), cancel);
            if (bar && result.Sent + result.Retrying + result.GivenUp > 0) output.WriteLine();
            output.WriteLine(Summary(result, settings));
            return 0;
        });
        send.OnFailure("送信待ちのメールは残っています（送信済みのものは記録済みです）。");
        return send;
    }

    private static Command Bounces()
    {
        var db = WebCommands.DbOption();
        var survey = new Option<string?>("--survey")
        {
            Description = "この調査の団体への不達通知だけを処理する（他の調査の不達通知は未読のまま残します）。省略するとすべての調査",
        };
        var cmd = new Command("bounces",
            "不達通知（バウンス）のメールボックス（Shirabe:Bounces）を一度だけ読み、配信できなかった団体を宛先エラーにします") { survey, db };
        cmd.SetAction(async (r, cancel) =>
        {
            var config = Configuration(r.GetValue(db));
            var shirabe = ShirabeSettings.From(config);
            var settings = BounceSettings.Load(config);
            var database = new Database(shirabe.Db, shirabe.DataDir);
            await database.MigrateAsync(cancel);
            var output = r.Out();
            var surveyId = r.GetValue(survey);
            if (surveyId is not null)
            {
                await using var context = database.CreateContext();
                if (!await context.Surveys.AnyAsync(x => x.Id == surveyId, cancel))
                    throw new Core.UserError($"調査「{surveyId}」はデータベースにありません（shirabe survey list で確認できます）。");
            }
            output.WriteLine($"{database.Describe()}: {settings.Describe()}");
            var clock = shirabe.Now is { } now ? new ShiftedTimeProvider(now) : TimeProvider.System;
            var logs = LoggerFactory.Create(_ => { });
            var summary = await new BounceCheck(database, settings, clock, logs.CreateLogger<BounceCheck>())
                .RunAsync(surveyId, null, audit: true, new SyncProgress<BounceProgress>(p => output.WriteLine(
                    $"[{p.Done}/{p.Total}] {p.Recipient}{(p.Status is { } s ? " " + s : "")}: " + p.Outcome switch
                    {
                        BounceOutcome.Failed => $"宛先エラーにしました（{p.Organisation}）",
                        BounceOutcome.Recorded => $"記録しました（{p.Organisation}。宛先エラー済みか、宛先を変更済み）",
                        BounceOutcome.Delayed => p.Organisation is null ? "一時的な遅延（該当する団体なし）" : $"一時的な遅延のため宛先エラーにしません（{p.Organisation}）",
                        _ => "該当する団体がありません（記録のみ）",
                    })), cancel);
            output.WriteLine(summary.Text());
            return 0;
        });
        cmd.OnFailure("読み終えた不達通知は記録済みです。残りは未読のまま、次の確認で読みます。");
        return cmd;
    }

    /// <summary>The configuration `serve` would read for these keys: appsettings.json next to the program, then the environment.</summary>
    internal static ConfigurationManager Configuration(string? db)
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
        Bar(output, p.Done, p.Total);
    }

    private static async Task<bool> AnyDueReminderAsync(Database database, ShirabeSettings shirabe, CancellationToken cancel)
    {
        var now = (shirabe.Now is { } n ? new ShiftedTimeProvider(n) : TimeProvider.System).GetUtcNow().UtcDateTime;
        await using var db = database.CreateContext();
        return await db.Reminders.AnyAsync(x => x.QueuedAt == null && x.CancelledAt == null && x.ScheduledAt <= now, cancel);
    }

    private static void Bar(TextWriter output, int done, int total)
    {
        const int width = 30;
        var filled = total == 0 ? width : done * width / total;
        output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total}");
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
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
