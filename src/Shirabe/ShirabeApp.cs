using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http.Features;
using Shirabe.Admin;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Fieldwork.Mail;
using Shirabe.Pdf;
using Shirabe.Respond;

namespace Shirabe;

/// <summary>
/// Builds the web application. Used by `shirabe serve`, by WebApplicationFactory tests (through <see cref="Program"/>)
/// and by browser tests that need a real Kestrel port:
/// <code>var app = ShirabeApp.Build(["--urls", "http://127.0.0.1:0"], b => b.Configuration["Shirabe:Db"] = …);
/// await app.StartAsync();</code>
/// </summary>
public static class ShirabeApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var explicitRoot = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));
        var explicitName = args.Any(a => a.StartsWith("--applicationName", StringComparison.OrdinalIgnoreCase));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The pages are found in this assembly even when another program (a test runner) hosts the app.
            ApplicationName = explicitName ? null : typeof(ShirabeApp).Assembly.GetName().Name,
            // Static files and views resolve from the program's folder, whatever the working directory.
            ContentRootPath = explicitRoot ? null : AppContext.BaseDirectory,
        });
        AddServices(builder.Services);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024 * 1024;
        });
        // Request-by-request framework logs are noise for the secretariat; appsettings or --Logging:… can raise them.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // EF Core logs every command at Information: a console line per query made `demo` (which sets no level) serve
        // page views at half the benchmark's rate (issue 12).
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        configure?.Invoke(builder);

        var app = builder.Build();
        UseTrustedProxies(app, app.Services.GetRequiredService<ShirabeSettings>());
        // A respondent never sees a stack trace: errors and bare status codes get a Japanese page.
        app.UseExceptionHandler("/error/500");
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseMiddleware<SecurityHeaders>();
        app.UseHsts(); // only on HTTPS, never for localhost
        app.UseStaticFiles();
        app.UseMiddleware<Surveys.SurveyResolver>();
        // Form posts stay readable as raw bytes after the form is parsed (the UTF-8 check in FormAnswers).
        app.Use((context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method)) context.Request.EnableBuffering();
            return next(context);
        });
        app.UseMiddleware<FormBodyGuard>();
        app.UseAdminConsole();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapRespondEndpoints();
        app.MapAdminEndpoints();
        return app;
    }

    /// <summary>
    /// Behind a TLS-terminating proxy: the client's address (rate limits) and scheme (HSTS) from X-Forwarded-For /
    /// -Proto, believed only from the configured proxies (Shirabe:KnownProxies, Shirabe:KnownNetworks). With none
    /// configured the headers are ignored: any local process could otherwise pose as a proxy and rotate its address.
    /// </summary>
    private static void UseTrustedProxies(WebApplication app, ShirabeSettings settings)
    {
        if (settings.KnownProxies.Count == 0 && settings.KnownNetworks.Count == 0) return;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                               | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
        };
        // Replace the loopback defaults; at least one entry is added below, so the lists are never both empty
        // (empty lists would make ASP.NET Core believe every proxy).
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
            options.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var ip) ? ip
                : throw new ArgumentException($"Shirabe:KnownProxies の「{proxy}」は IP アドレスではありません。"));
        foreach (var network in settings.KnownNetworks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var n) ? n
                : throw new ArgumentException($"Shirabe:KnownNetworks の「{network}」はネットワーク（例: 10.0.0.0/8）ではありません。"));
        app.UseForwardedHeaders(options);
    }

    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton(sp => ShirabeSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp =>
        {
            var s = sp.GetRequiredService<ShirabeSettings>();
            return new Database(s.Db, s.DataDir);
        });
        services.AddScoped<ShirabeDb>(sp => sp.GetRequiredService<Database>().CreateContext());
        services.AddSingleton(sp => new Surveys.ServedSurvey(SurveyLoader.LoadFile(sp.GetRequiredService<ShirabeSettings>().SurveyPath)));
        // The request's survey (Surveys.SurveyResolver): a link's own, or the one chosen in the console.
        services.AddScoped<Surveys.CurrentSurvey>();
        services.AddScoped(sp => sp.GetRequiredService<Surveys.CurrentSurvey>().Survey);
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<ShirabeSettings>().Now is { } now
            ? new ShiftedTimeProvider(now) : TimeProvider.System);
        services.AddSingleton<FailedLookupLimiter>();
        services.AddScoped<InvitationLookup>();
        services.AddSingleton<Surveys.SurveyCatalog>();
        services.AddSingleton<ChromiumPdf>(sp =>
        {
            var s = sp.GetRequiredService<ShirabeSettings>();
            return new ChromiumPdf(pages: s.PdfPages, queue: s.PdfQueue);
        });
        services.AddSingleton<BlankPdfCache>();
        services.AddSingleton<AnswersPdfLimiter>();
        services.AddHostedService<StartupTasks>();
        // Respondents' submissions: one writer per process, group commit (docs/decisions/069).
        services.AddSingleton<SubmissionCommitter>();
        services.AddHostedService(sp => sp.GetRequiredService<SubmissionCommitter>());
        services.AddMail(); // after StartupTasks: the sender starts on a migrated database

        // Japanese text stays readable in the HTML (Razor still encodes <, >, &, quotes and everything unsafe).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        // Pages live in their feature folders (Respond/, Admin/), each with its own Shared/ layout and partials.
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/";
            o.Conventions.ConfigureFilter(new PostNeedsAHandler());
            o.AddAdminPageConventions();
        });
        services.Configure<Microsoft.AspNetCore.Mvc.Razor.RazorViewEngineOptions>(o =>
        {
            o.PageViewLocationFormats.Add("/Respond/Shared/{0}.cshtml");
            o.PageViewLocationFormats.Add("/Admin/Shared/{0}.cshtml");
        });
        services.AddAdminConsole();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "shirabe-af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SuppressXFrameOptionsHeader = true; // SecurityHeaders sends frame-ancestors 'none' and DENY
        });
        services.AddSingleton<IAntiforgeryAdditionalDataProvider, TokenBoundAntiforgery>();
        services.Configure<FormOptions>(o =>
        {
            o.ValueCountLimit = 500;
            o.ValueLengthLimit = 512 * 1024;
        });
        // Keys survive restarts, so forms open in a browser stay valid across a redeploy.
        services.AddDataProtection().SetApplicationName("shirabe");
        services.AddOptions<KeyManagementOptions>().Configure<ShirabeSettings, ILoggerFactory>((o, s, logs) =>
        {
            DataFiles.SecureFolder(s.DataDir);
            DataFiles.SecureFolder(Path.Combine(s.DataDir, "keys"));
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(s.DataDir, "keys")), logs);
        });
    }
}

/// <summary>
/// A POST (or any other method) to a page without a handler for it gets 405, not the page rendered without its GET
/// having loaded anything (a 500).
/// </summary>
internal sealed class PostNeedsAHandler : Microsoft.AspNetCore.Mvc.Filters.IPageFilter, Microsoft.AspNetCore.Mvc.Filters.IOrderedFilter
{
    /// <summary>After the antiforgery check (order 1000): a post without its form token still gets 400.</summary>
    public int Order => 2000;

    public void OnPageHandlerSelected(Microsoft.AspNetCore.Mvc.Filters.PageHandlerSelectedContext context) { }

    public void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        var method = context.HttpContext.Request.Method;
        // The error page re-executed for a failed POST keeps the method: it must still show that failure's page.
        var reExecuted = context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null
                         || context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>() is not null;
        if (context.HandlerMethod is null && !reExecuted && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            context.Result = new Microsoft.AspNetCore.Mvc.StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
    }

    public void OnPageHandlerExecuted(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutedContext context) { }
}

/// <summary>On start: checks the survey definition and applies pending migrations (unless Shirabe:MigrateOnStart=false).</summary>
internal sealed class StartupTasks(IServiceProvider services, ILogger<StartupTasks> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancel)
    {
        var survey = services.GetRequiredService<Surveys.ServedSurvey>().Survey;
        var settings = services.GetRequiredService<ShirabeSettings>();
        var db = services.GetRequiredService<Database>();
        if (settings.MigrateOnStart) await db.MigrateAsync(cancel);
        if (await db.HasPendingMigrationsAsync(cancel))
            log.LogWarning("Database {Db} is not up to date: run `shirabe db migrate`", db.Describe());
        else await StoreServedSurveyAsync(survey, settings, db, cancel);
        var stale = ChromiumPdf.DeleteStaleProfiles(Path.GetTempPath());
        if (stale > 0) log.LogInformation("Deleted {Count} Chromium profiles left by earlier runs", stale);
        // Shirabe:PdfWarm: one Chromium warm for PDFs (issue 12 item 5), started without delaying the start.
        var chromium = services.GetRequiredService<ChromiumPdf>();
        if (settings.PdfWarm && chromium.Available) chromium.WarmUp(log);
        var clock = services.GetRequiredService<TimeProvider>();
        log.LogInformation("Survey {Survey} ({Phase} at {Now:u}), database {Db}", survey.Id,
            survey.Period.PhaseAt(clock.GetUtcNow()), clock.GetUtcNow(), db.Describe());
    }

    /// <summary>
    /// Stores the served folder's definition (version 1, or a new version when its text changed only in wording) and
    /// stamps the rows saved before versions existed. A structural change to a survey with answers is not stored: the
    /// stored version is kept and served, with a warning.
    /// </summary>
    private async Task StoreServedSurveyAsync(Survey survey, ShirabeSettings settings, Database database, CancellationToken cancel)
    {
        var catalog = services.GetRequiredService<Surveys.SurveyCatalog>();
        var folder = Directory.Exists(settings.SurveyPath) ? settings.SurveyPath : Path.GetDirectoryName(settings.SurveyPath)!;
        var yaml = File.ReadAllText(Directory.Exists(settings.SurveyPath)
            ? Path.Combine(settings.SurveyPath, SurveyLoader.FileName) : settings.SurveyPath);
        var reportFile = Path.Combine(folder, Core.Reports.ReportDefinitionLoader.FileName);
        var report = File.Exists(reportFile) ? File.ReadAllText(reportFile) : null;
        var sha = Surveys.SurveyCatalog.Sha256(Surveys.SurveyCatalog.Canonical(yaml), report is null ? null : Surveys.SurveyCatalog.Canonical(report));
        Surveys.StoredSurvey? stored = null;
        await using (var check = database.CreateContext())
            if (await check.SurveyVersions.AnyAsync(v => v.SurveyId == survey.Id && v.Sha256 == sha, cancel))
                // The folder is unchanged since it was stored: later versions (mail wording edited on the console,
                // decision 052) stay the served ones rather than being replaced by the folder's text at every start.
                stored = await catalog.GetAsync(check, survey.Id, cancel);
        if (stored is null)
            try
            {
                var (added, change) = await catalog.AddAsync(yaml, report, note: "起動時に " + settings.SurveyPath + " から登録", cancel: cancel);
                stored = added;
                if (change != Surveys.CatalogChange.Unchanged)
                    log.LogInformation("Stored survey {Survey} as version {Number}", survey.Id, added.Version.Number);
            }
            catch (Core.UserError e)
            {
                stored = (await catalog.GetAsync(survey.Id, cancel))!; // refused only as a change to a stored version
                log.LogWarning("The survey folder {Folder} differs from the stored survey {Survey} beyond wording, and the survey " +
                               "has answers: version {Number} in the database is kept. {Message}", folder, survey.Id, stored.Version.Number, e.Message);
            }
        catalog.ServedVersionId = stored.Version.Id;
        await using var db = database.CreateContext();
        var stamped = await Surveys.SurveyCatalog.StampUnversionedAsync(db, survey.Id, stored.Version.Id, cancel);
        if (stamped > 0) log.LogInformation("Stamped {Count} answer rows with version {Number}", stamped, stored.Version.Number);
    }

    public Task StopAsync(CancellationToken cancel) => Task.CompletedTask;
}
