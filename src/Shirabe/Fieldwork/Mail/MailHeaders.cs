using MimeKit;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// Header values from templates and the roster: a CR or LF would start a header of the reader's choosing (Bcc: …), so it
/// is refused, not cleaned. Addresses are parsed strictly by MimeKit.
/// </summary>
public static class MailHeaders
{
    public static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
    };

    /// <summary>Throws when <paramref name="value"/> holds a line break or another control character.</summary>
    public static void RefuseLineBreaks(string header, string value)
    {
        foreach (var c in value)
            if (c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029' || char.IsControl(c) && c != '\t')
                throw new MailHeaderError($"メールのヘッダー（{header}）に改行や制御文字は使えません。メールは作成していません。");
    }

    /// <summary>
    /// One or more mailboxes separated by commas (or semicolons, as typed in a roster), each checked; empty when
    /// <paramref name="text"/> is blank. Quoted names may hold commas (<c>"山田, 太郎" &lt;a@example.jp&gt;</c>).
    /// </summary>
    public static InternetAddressList Addresses(string header, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        RefuseLineBreaks(header, text);
        if (!InternetAddressList.TryParse(Strict, text, out var list) && !InternetAddressList.TryParse(Strict, text.Replace(';', ','), out list))
            throw new MailHeaderError($"メールアドレス「{text}」（{header}）の形式が正しくありません。メールは作成していません。");
        foreach (var address in list)
            if (address is not MailboxAddress { Address: var a } || a.IndexOf('@') is <= 0 || a.IndexOf('@') == a.Length - 1)
                throw new MailHeaderError($"メールアドレス「{address}」（{header}）の形式が正しくありません。メールは作成していません。");
        return list;
    }

    /// <summary>Checks every header of <paramref name="message"/> as <see cref="RefuseLineBreaks"/> does (folding is MimeKit's).</summary>
    public static void Check(MimeMessage message)
    {
        RefuseLineBreaks("Subject", message.Subject ?? "");
        foreach (var address in message.To.Mailboxes.Concat(message.Cc.Mailboxes))
        {
            RefuseLineBreaks("To/Cc", address.Name ?? "");
            RefuseLineBreaks("To/Cc", address.Address);
        }
    }
}

/// <summary>A header value that would break the mail (CR/LF) or an address that is not one.</summary>
public sealed class MailHeaderError(string message) : Core.UserError(message);
