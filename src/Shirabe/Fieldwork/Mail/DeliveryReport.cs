using System.Security.Cryptography;
using MimeKit;

namespace Shirabe.Fieldwork.Mail;

/// <summary>One recipient of a delivery-status notification that did not get the mail: failed (for good) or delayed.</summary>
public sealed record DsnRecipient(string Address, string Action, string? Status, string? Diagnostic)
{
    /// <summary>Permanent: Action failed with a 5.x.x status (or none). A 4.x.x status or a delay never fails an address.</summary>
    public bool Permanent => Action == "failed" && (Status is null || Status.StartsWith('5'));
}

/// <summary>
/// A delivery-status notification (RFC 3464: multipart/report; report-type=delivery-status) as Shirabe reads it: its own
/// id, the Message-IDs it refers to (the returned message or headers, In-Reply-To, References) and the recipients that
/// failed or were delayed (delivered, relayed and expanded recipients are left out).
/// </summary>
public sealed record DeliveryReport(string ReportId, IReadOnlyList<string> MessageIds, IReadOnlyList<DsnRecipient> Recipients)
{
    /// <summary>True when the structure (from IMAP BODYSTRUCTURE, before downloading) is a delivery-status report.</summary>
    public static bool IsReport(ContentType type) =>
        type.IsMimeType("multipart", "report")
        && string.Equals(type.Parameters["report-type"], "delivery-status", StringComparison.OrdinalIgnoreCase);

    /// <summary>The report in <paramref name="message"/>, or null when it is not a delivery-status notification.</summary>
    public static DeliveryReport? Read(MimeMessage message)
    {
        if (message.Body is not MultipartReport report || !IsReport(report.ContentType)) return null;
        var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (status is null) return null;
        var recipients = new List<DsnRecipient>();
        // The first group holds the per-message fields; each further group is one recipient.
        foreach (var group in status.StatusGroups.Skip(1))
        {
            var action = (group["Action"] ?? "").Trim().ToLowerInvariant();
            if (action is not ("failed" or "delayed")) continue;
            var address = Address(group["Original-Recipient"]) ?? Address(group["Final-Recipient"]);
            if (address is null) continue;
            var code = (group["Status"] ?? "").Trim().Split(' ', '(')[0];
            recipients.Add(new DsnRecipient(address, action, code.Length == 0 ? null : Clip(code, 20),
                group["Diagnostic-Code"] is { } d ? Clip(Unfold(d), 1000) : null));
        }
        var ids = new List<string>();
        foreach (var part in report.OfType<MessagePart>())
            if (part.Message?.MessageId is { Length: > 0 } id) ids.Add(id);
        if (message.InReplyTo is { Length: > 0 } reply) ids.Add(reply);
        ids.AddRange(message.References);
        return new DeliveryReport(Id(message), ids.Distinct(StringComparer.Ordinal).ToList(), recipients.DistinctBy(r => r.Address).ToList());
    }

    /// <summary>An address-type field (<c>rfc822; a@example.jp</c>) as the address, lower-cased; null when it holds none.</summary>
    private static string? Address(string? field)
    {
        if (string.IsNullOrWhiteSpace(field)) return null;
        var value = field[(field.IndexOf(';') + 1)..].Trim().Trim('<', '>').Trim();
        return value.Contains('@') && value.Length <= 320 ? value.ToLowerInvariant() : null;
    }

    /// <summary>The report's Message-ID, or a hash of its bytes when it has none (or one too long to store).</summary>
    private static string Id(MimeMessage message)
    {
        if (message.MessageId is { Length: > 0 and <= 200 } id) return id;
        using var bytes = new MemoryStream();
        message.WriteTo(bytes);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
    }

    private static string Unfold(string s) => string.Join(' ', s.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()));

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}
