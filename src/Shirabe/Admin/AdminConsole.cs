using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin;

/// <summary>The secretariat's console under /admin (docs/web.md "Admin console").</summary>
public static class AdminConsole
{
    public static void AddAdminConsole(this IServiceCollection services)
    {
        services.AddAdminAuth();
        services.AddSingleton(sp => ConsoleSurvey.Load(sp.GetRequiredService<ShirabeSettings>(), sp.GetRequiredService<Survey>()));
        services.AddScoped<ReportEditsStore>();
        services.AddScoped<ConsoleReport>();
        services.AddSingleton<ReportJobs>();
    }

    /// <summary>Every page in the Admin folder requires an admin, except the sign-in page.</summary>
    public static void AddAdminPageConventions(this RazorPagesOptions o)
    {
        o.Conventions.AuthorizeFolder("/Admin", AdminAuth.Policy);
        o.Conventions.AllowAnonymousToPage("/Admin/SignIn");
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

    /// <summary>The console's non-page endpoints; authorization is on the group.</summary>
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(AdminAuth.Policy);
        admin.MapGet("/report/jobs/{id:guid}/file", DownloadReport);
    }

    private static Results<FileContentHttpResult, NotFound, Conflict<string>> DownloadReport(Guid id, ReportJobs jobs)
    {
        var job = jobs.Find(id);
        if (job is null) return TypedResults.NotFound();
        if (job is not { State: JobState.Done, File: { } file }) return TypedResults.Conflict("作成中です。");
        return TypedResults.File(file, job.ContentType, job.FileName);
    }
}
