namespace Shirabe.Core.Questionnaire;

/// <summary>
/// The survey's notice on personal data (survey.yaml `privacy:`; APPI 利用目的の通知・公表). All of it is survey data:
/// the app adds headings, never legal wording of its own.
/// </summary>
/// <param name="Title">The notice's heading (default 個人情報の取扱いについて).</param>
/// <param name="Handler">Who handles the personal data (取扱事業者).</param>
/// <param name="Purposes">The purposes of use (利用目的); at least one.</param>
/// <param name="Retention">How long the data is kept (保存期間).</param>
/// <param name="Sharing">Provision to third parties and entrustment (第三者提供・委託).</param>
/// <param name="Contact">Where to ask for disclosure, correction or deletion (開示等の請求・お問い合わせ窓口).</param>
/// <param name="Body">Further paragraphs, shown after the purposes.</param>
public sealed record PrivacyNotice(
    string Title, string? Handler, IReadOnlyList<string> Purposes, string? Retention, string? Sharing, string Contact,
    IReadOnlyList<string> Body)
{
    public const string DefaultTitle = "個人情報の取扱いについて";
}
