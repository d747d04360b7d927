using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin;

/// <summary>
/// Sign-out is a POST (with the form token), so no link or image on another page can sign anyone out. The session is
/// deleted in the database, so a copy of the cookie no longer opens the console on any instance.
/// </summary>
public sealed class SignOutModel(AdminUsers users) : PageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        await users.EndSessionAsync(User.FindFirst(AdminAuth.SessionClaim)?.Value, HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.SignOut);
        await HttpContext.SignOutAsync(AdminAuth.Scheme);
        return Redirect("/admin/signin");
    }
}
