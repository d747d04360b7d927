using System.CommandLine;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Cli;

/// <summary>`shirabe admin add-user --name NAME --role admin|analyst [--series ID] [--generate] [--reset] [--db …]`: console users (docs/cli.md).</summary>
public static class AdminCommands
{
    public static Command Command()
    {
        var name = new Option<string>("--name") { Description = "ログインに使うユーザー名", Required = true };
        var role = new Option<string?>("--role")
        {
            Description = "役割: admin（管理者: すべての操作）または analyst（集計担当: 結果と報告書の閲覧、所見の下書き）。登録時は必須、--reset と一緒なら役割も変更する",
        };
        role.AcceptOnlyFromAmong(StaffRoles.All);
        var series = new Option<string?>("--series")
        {
            Description = "役割を一つのシリーズ（登録済みの調査の series）に限る。省略時はすべてのシリーズ",
        };
        var generate = new Option<bool>("--generate") { Description = "パスワードを自動生成して表示する（入力しない）" };
        var reset = new Option<bool>("--reset") { Description = "登録済みのユーザーのパスワードを変更する（ログイン中のセッションは無効になる）" };
        var db = new Option<string?>("--db")
        {
            Description = "データベースの接続文字列（Host=… は PostgreSQL、それ以外は SQLite のファイル）。省略時は SHIRABE_DB、なければ data/shirabe.db",
        };
        var add = new Command("add-user",
            "管理画面のユーザーを登録します。パスワードは端末で入力するか、標準入力の 1 行目から読みます（--generate で自動生成）")
        {
            name, role, series, generate, reset, db,
        };
        add.SetAction(async (r, cancel) =>
        {
            if (r.GetValue(role) is null && !r.GetValue(reset))
                throw new Core.UserError("--role を指定してください（admin: 管理者、analyst: 集計担当）。");
            string password;
            var generated = r.GetValue(generate);
            if (generated) password = AdminAuth.NewPassword();
            else if (Console.IsInputRedirected) password = (await Console.In.ReadLineAsync(cancel) ?? "").TrimEnd('\r');
            else
            {
                password = ReadHidden("パスワード: ");
                if (ReadHidden("パスワード（確認）: ") != password) throw new Core.UserError("パスワードが一致しません。");
            }
            var database = Open(r.GetValue(db));
            await database.MigrateAsync(cancel);
            await using var ctx = database.CreateContext();
            var user = await new AdminUsers(ctx, new PasswordHasher<AdminUser>(), TimeProvider.System)
                .AddAsync(r.GetValue(name)!, password, r.GetValue(reset), cancel, r.GetValue(role), r.GetValue(series));
            // The command line has no signed-in user: the entry's user is empty ("コマンドライン" on the console).
            await new AuditLog(ctx, TimeProvider.System).WriteAsync(null, r.GetValue(reset) ? AuditAction.UserPasswordReset : AuditAction.UserAdded,
                AuditLog.User(user.Id), r.GetValue(reset) ? new { field = "password" } : new { role = r.GetValue(role), series = r.GetValue(series) }, cancel);
            var current = await ctx.StaffRoles.Where(x => x.UserId == user.Id).OrderBy(x => x.SeriesId != null).FirstAsync(cancel);
            r.Out().WriteLine($"{database.Describe()}: 管理画面のユーザー「{user.Name}」（{StaffRoles.Label(current.Role)}{(current.SeriesId is null ? "" : "・" + StaffRoles.ScopeLabel(current.SeriesId))}）を{(r.GetValue(reset) ? "更新" : "登録")}しました。");
            if (generated) r.Out().WriteLine($"パスワード: {password}");
            return 0;
        });
        add.OnFailure("ユーザーは登録・変更していません。");
        return new Command("admin", "管理画面（/admin）のユーザーを管理します") { add };
    }

    /// <summary>Reads a line from the terminal without echoing it.</summary>
    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var s = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (s.Length > 0) s.Length--; }
            else if (!char.IsControl(key.KeyChar)) s.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return s.ToString();
    }

    private static Database Open(string? db)
    {
        var config = new ConfigurationManager();
        config.AddEnvironmentVariables();
        if (db is not null) config["Shirabe:Db"] = db;
        var settings = ShirabeSettings.From(config);
        return new Database(settings.Db, settings.DataDir);
    }
}
