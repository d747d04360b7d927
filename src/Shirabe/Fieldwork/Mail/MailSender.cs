namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// The server's background sender: drains the outbox every <see cref="MailSettings.Poll"/>. Several server instances
/// may run it at once (claims are leased). A failing drain (database away) is logged and tried again, never fatal.
/// </summary>
internal sealed class MailSender(IServiceProvider services, ILogger<MailSender> log) : BackgroundService
{
    /// <summary>
    /// Reads the mail settings and the link key before the server starts: a bad setting or a key inside the data folder
    /// stops the start with its own message, and the embedded default makes its key now (decision 042).
    /// </summary>
    public override Task StartAsync(CancellationToken cancel)
    {
        services.GetRequiredService<MailSettings>();
        services.GetRequiredService<LinkKeys>();
        return base.StartAsync(cancel);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var settings = services.GetRequiredService<MailSettings>();
        if (settings.UsesSmtp)
            log.LogInformation("Mail: SMTP {Host}:{Port} ({Security}), from {From}, caps {PerMinute}/minute and {PerDay}/day",
                settings.Host, settings.Port, settings.Security, settings.From.Address, settings.PerMinute, settings.PerDay);
        else
            log.LogInformation("Mail: no SMTP server configured (Shirabe:Smtp:Host): mails are written as .eml files to {Dir} (the pickup folder), not sent",
                settings.PickupDir);
        if (settings.Poll <= TimeSpan.Zero) return;
        var clock = services.GetRequiredService<TimeProvider>();
        var drain = new MailDrain(services.GetRequiredService<Data.Database>(), settings, clock);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using (var scope = services.CreateAsyncScope())
                {
                    var queued = await scope.ServiceProvider.GetRequiredService<MailCampaigns>().QueueDueRemindersAsync(stop);
                    if (queued > 0) log.LogInformation("Mail: {Count} reminders queued (a scheduled round came due)", queued);
                }
                var r = await drain.RunAsync(cancel: stop);
                if (r.Sent + r.Retrying + r.GivenUp > 0)
                    log.LogInformation("Mail: {Sent} sent, {Retrying} to retry, {GivenUp} given up, {HeldBack} held back by the caps",
                        r.Sent, r.Retrying, r.GivenUp, r.HeldBack);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Mail: the outbox could not be drained; trying again in {Poll}", settings.Poll);
            }
            try
            {
                await Task.Delay(settings.Poll, clock, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

/// <summary>
/// Reads the bounce mailbox every <see cref="BounceSettings.Poll"/> when one is configured (docs/decisions/063); does
/// nothing otherwise. A failing check (wrong password, server away) is logged with its Japanese reason and tried again.
/// </summary>
internal sealed class BouncePoller(IServiceProvider services, ILogger<BouncePoller> log) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancel)
    {
        services.GetRequiredService<BounceSettings>();
        return base.StartAsync(cancel);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var settings = services.GetRequiredService<BounceSettings>();
        if (!settings.Configured || settings.Poll <= TimeSpan.Zero) return;
        log.LogInformation("Bounces: reading {Host}:{Port} folder {Folder} every {Poll}", settings.Host, settings.Port, settings.Folder, settings.Poll);
        var clock = services.GetRequiredService<TimeProvider>();
        var check = new BounceCheck(services.GetRequiredService<Data.Database>(), settings, clock, log);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var r = await check.RunAsync(null, null, audit: false, cancel: stop);
                if (r.Reports + r.Duplicates > 0)
                    log.LogInformation("Bounces: {Reports} reports read, {Failed} addresses marked failed, {Delayed} delayed, {Unmatched} unmatched",
                        r.Reports, r.Failed, r.Delayed, r.Unmatched);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is BounceMailboxError)
            {
                log.LogWarning("Bounces: {Reason} Trying again in {Poll}", e.Message, settings.Poll);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Bounces: the mailbox could not be read; trying again in {Poll}", settings.Poll);
            }
            try
            {
                await Task.Delay(settings.Poll, clock, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

public static class MailServices
{
    /// <summary>Mail settings, the outbox, the background sender and the bounce mailbox's poller.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services)
    {
        services.AddSingleton(sp => MailSettings.Load(sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<ShirabeSettings>().DataDir));
        services.AddSingleton(sp => BounceSettings.Load(sp.GetRequiredService<IConfiguration>()));
        services.AddScoped<Outbox>();
        services.AddScoped<MailCampaigns>();
        services.AddSingleton<PublicSite>();
        // Resolved when the background sender starts (and by the invite and remind paths).
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<ShirabeSettings>();
            return LinkKeys.For(sp.GetRequiredService<IConfiguration>(), settings.DataDir, sp.GetRequiredService<Data.Database>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<LinkKeys>());
        });
        services.AddHostedService<MailSender>();
        services.AddHostedService<BouncePoller>();
        return services;
    }
}
