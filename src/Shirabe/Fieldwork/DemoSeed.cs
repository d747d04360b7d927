using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// The demo roster: the 48 associations of 参考資料2 with the reconstructed responses as submitted (R01 … R48 in
/// submission order) and 9 invented associations that have not answered yet (57 invitations, as in 2.1).
/// </summary>
public static class DemoSeed
{
    /// <summary>Invented associations; the names are fictitious.</summary>
    public static readonly (string Code, string Name, string Industry)[] Unanswered =
    [
        ("N01", "一般社団法人日本架空精密機器工業会", "製造業"),
        ("N02", "一般社団法人架空物流協会", "運輸業，郵便業"),
        ("N03", "架空食品工業組合連合会", "製造業"),
        ("N04", "一般社団法人日本架空ソフトウェア協会", "情報通信業"),
        ("N05", "架空建設業協会", "建設業"),
        ("N06", "一般社団法人架空観光旅館連盟", "宿泊業，飲食サービス業"),
        ("N07", "一般社団法人日本架空不動産協会", "不動産業，物品賃貸業"),
        ("N08", "架空教育サービス協議会", "教育，学習支援業"),
        ("N09", "一般社団法人日本架空農業機械工業会", "製造業"),
    ];

    public sealed record Link(string Code, string Name, string Token, bool Submitted);

    /// <summary>Seeds an empty database; returns every invitation's link (tokens exist only here and in this output).</summary>
    public static async Task<List<Link>> SeedAsync(ShirabeDb db, Survey survey, string responsesCsv, TimeProvider clock,
        CancellationToken cancel = default)
    {
        List<Link> links;
        await using (var csv = File.OpenRead(responsesCsv))
            links = (await ResponsesTransfer.ImportAsync(db, survey, csv, clock, cancel: cancel))
                .Select(i => new Link(i.Code, i.Name, i.Token, i.Submitted)).ToList();
        await using var bulk = await BulkInvitations.BeginAsync(db, survey, clock.GetUtcNow().UtcDateTime, cancel);
        var rows = new List<NewInvitation>();
        foreach (var (code, name, industry) in Unanswered)
        {
            var token = InvitationTokens.NewToken();
            rows.Add(new NewInvitation { Code = code, Name = name, Industry = industry, TokenHash = InvitationTokens.Hash(token) });
            links.Add(new Link(code, name, token, false));
        }
        await bulk.WriteAsync(rows, cancel);
        await bulk.CommitAsync(cancel);
        return links;
    }
}
