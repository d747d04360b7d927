using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin;

/// <summary>The secretariat's console under /admin (docs/web.md "Admin console").</summary>
public static class AdminConsole
{
    public static void AddAdminConsole(this IServiceCollection services)
    {
        services.AddAdminAuth();
        services.AddScoped(sp => ConsoleSurvey.For(sp.GetRequiredService<Surveys.CurrentSurvey>(),
            sp.GetRequiredService<Surveys.SurveyCatalog>(), sp.GetRequiredService<ShirabeSettings>(), sp.GetRequiredService<Surveys.ServedSurvey>()));
        services.AddScoped<ReportEditsStore>();
        services.AddScoped<ConsoleReport>();
        services.AddSingleton<ResultsCache>();
        services.AddScoped<Roster>();
        services.AddScoped<AuditLog>();
        services.AddScoped<StaffAccounts>();
        services.AddSingleton<ReportJobs>();
        services.AddSingleton<Invitees.RosterImportJobs>();
        services.AddSingleton<Shirabe.Surveys.SurveyAuthoring>();
    }

    /// <summary>
    /// The pages a 集計担当 may open (and post to): reading progress, results, answers and reports, drafting the report.
    /// Every other page in the Admin folder, including any page added later, is for 管理者 only
    /// (docs/decisions/035-staff-roles.md).
    /// </summary>
    public static readonly IReadOnlySet<string> AnalystPages = new HashSet<string>(StringComparer.Ordinal)
    {
        "/Admin/Index", "/Admin/Results", "/Admin/Compare", "/Admin/Invitees/Answers",
        "/Admin/Report/Index", "/Admin/Report/Job", "/Admin/Report/Narrative", "/Admin/Report/Answers",
        "/Admin/SignOut", "/Admin/Authoring/Index", "/Admin/Authoring/History", "/Admin/Authoring/Preview",
    };

    /// <summary>Every page in the Admin folder requires a role on every request, except the sign-in page.</summary>
    public static void AddAdminPageConventions(this RazorPagesOptions o)
    {
        o.Conventions.AddFolderApplicationModelConvention("/Admin", page =>
        {
            if (page.ViewEnginePath == "/Admin/SignIn") return;
            page.EndpointMetadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(page.ViewEnginePath switch
            {
                // Signing out needs no role: a user without one in the chosen survey's series can still leave.
                "/Admin/SignOut" => AdminAuth.SignedInPolicy,
                // Users, and uploads (which may start a series), are for a 管理者 for every series only (docs/decisions/060).
                "/Admin/Users" or "/Admin/Authoring/Upload" => AdminAuth.UsersPolicy,
                var path when AnalystPages.Contains(path) => AdminAuth.StaffPolicy,
                _ => AdminAuth.AdminPolicy,
            }));
        });
        o.Conventions.AllowAnonymousToPage("/Admin/SignIn");
        // Paper and mail answers entered by a 管理者: the respondent's own section and review pages on console routes
        // (no link token is made), 管理者 only (docs/decisions/050).
        o.Conventions.AddPageRouteModelConvention("/Respond/Section", m => AddStaffEntryRoute(m, "admin/invitees/{id:int}/paper/s/{section}/{part:int?}"));
        o.Conventions.AddPageRouteModelConvention("/Respond/Review", m => AddStaffEntryRoute(m, "admin/invitees/{id:int}/paper/review"));
    }

    private static void AddStaffEntryRoute(PageRouteModel page, string template)
    {
        var selector = new SelectorModel { AttributeRouteModel = new AttributeRouteModel { Template = template, SuppressLinkGeneration = true } };
        selector.EndpointMetadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(AdminAuth.AdminPolicy));
        page.Selectors.Add(selector);
    }

    /// <summary>Console pages are never cached (they show who answered what).</summary>
    public static void UseAdminConsole(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/admin"))
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
        return next(context);
    });

    /// <summary>The console's non-page endpoints; authorization is on the two groups (any staff role, 管理者 only).</summary>
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/admin").RequireAuthorization(AdminAuth.StaffPolicy);
        staff.MapGet("/report/jobs/{id:guid}/file", DownloadReport);
        staff.MapGet("/results/figures/{key}.png", FigurePng);
        Authoring.SurveyExports.MapSurveyExports(staff);
        var admin = app.MapGroup("/admin").RequireAuthorization(AdminAuth.AdminPolicy);
        admin.MapGet("/roster.{format:regex(^(csv|xlsx)$)}", ExportRoster);
        admin.MapGet("/audit.csv", ExportAudit);
        admin.MapGet("/roster/file.{format:regex(^(csv|xlsx)$)}", Invitees.ImportModel.Download);
    }

    /// <summary>The audit log as filtered on its page, every row, as CSV; the export itself is logged.</summary>
    private static async Task ExportAudit(int? user, string? action, string? from, string? to, AuditLog log, TimeProvider clock, HttpContext http)
    {
        var query = AuditModel.Parse(user, action, from, to, null);
        await http.AuditAsync(AuditAction.AuditExported, null, new { query.UserId, query.Action, query.From, query.To });
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = ConsoleFiles.Disposition(
            $"操作記録-{clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)):yyyyMMdd-HHmm}.csv");
        await log.WriteCsvAsync(query, http.Response.Body, http.RequestAborted);
    }

    /// <summary>The progress list as filtered on the page (?q=&amp;status=&amp;sort=&amp;dir=), every row, as CSV or XLSX.</summary>
    private static async Task ExportRoster(string format, string? q, string? status, string? sort, string? dir,
        Roster roster, ConsoleSurvey console, TimeProvider clock, HttpContext http)
    {
        var query = RosterQuery.From(q, status, sort, dir, null, null, console.HasCategory);
        await http.AuditAsync(AuditAction.RosterExported, null, new { format, status = query.FilterText, search = query.Search is not null });
        var rows = roster.AllAsync(query, http.RequestAborted);
        var what = query.FilterLabel is { } s ? "回収状況-" + s.Split('（')[0] : "回収状況";
        var name = ConsoleFiles.Name(console.Survey, what, clock.GetUtcNow(), format);
        http.Response.Headers.ContentDisposition = ConsoleFiles.Disposition(name);
        if (format == "csv")
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            await RosterExport.WriteCsvAsync(rows, console, http.Response.Body, http.RequestAborted);
        }
        else
        {
            var bytes = await RosterExport.XlsxAsync(rows, console, http.RequestAborted);
            http.Response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
    }

    /// <summary>A live-results chart (the report's figure for the table <paramref name="key"/>) over the segment ?f=….</summary>
    private static async Task<Results<FileContentHttpResult, NotFound, BadRequest>> FigurePng(string key,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "f")] string[]? f, ConsoleReport report, Survey survey, HttpContext http)
    {
        var errors = new List<string>();
        var segment = ConsoleSegments.Parse(survey, f, errors);
        if (errors.Count > 0) return TypedResults.BadRequest();
        var built = await report.BuildAsync(segment, http.RequestAborted);
        var figure = built.Document.Figures.FirstOrDefault(x => x.Key == key);
        if (figure is null) return TypedResults.NotFound();
        return TypedResults.File(Reports.Charts.Png(figure.Chart), "image/png");
    }

    private static async Task<Results<FileContentHttpResult, NotFound, Conflict<string>>> DownloadReport(Guid id, ReportJobs jobs, HttpContext http)
    {
        var job = jobs.Find(id);
        if (job is null) return TypedResults.NotFound();
        if (job is not { State: JobState.Done, File: { } file }) return TypedResults.Conflict("作成中です。");
        await http.AuditAsync(AuditAction.ReportDownloaded, "job:" + id, new { format = job.Format.ToString() });
        http.Response.Headers.ContentDisposition = ConsoleFiles.Disposition(job.FileName);
        return TypedResults.File(file, job.ContentType);
    }
}
