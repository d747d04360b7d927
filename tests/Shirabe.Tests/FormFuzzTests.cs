using System.Net;
using System.Text;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Responses;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>
/// Issue 7, "keep them closed": generated malformed input (random bytes, control characters, noncharacters, surrogates,
/// huge values, many fields, multipart) against the questionnaire's forms and the responses importer. Never a 5xx,
/// never a crash; a refused form stores nothing, a refused field is not stored, and only text XML can hold is ever stored.
/// </summary>
public class FormFuzzTests
{
    private static readonly Gen<char> NastyChar = Gen.Frequency(
        (3, Gen.Char['a', 'z']), (2, Gen.Char['\u3040', '\u30FF']), (2, Gen.Char['\0', '\u001F']),
        (1, Gen.Int[0, 1].Select(i => i == 0 ? '\uFFFE' : '\uFFFF')), (1, Gen.Char['\uFDD0', '\uFDEF']),
        (1, Gen.Char['\uD800', '\uDFFF']), (2, Gen.Int[0, 9].Select(i => "&=%+;\"\r\n\t\uFEFF"[i])), (2, Gen.Char['0', '9']));

    private static readonly Gen<string> Value = Gen.Frequency(
        (3, NastyChar.Array[0, 30].Select(c => new string(c))),
        (1, Gen.Int[1, 100].Select(i => i.ToString())));

    /// <summary>Over the text limit (4,000), and over the form's value limit (512 KB).</summary>
    private static readonly Gen<string> Huge = Gen.Int[3_000, 600_000].Select(n => new string('a', n));

    /// <summary>One post: the target page, the fields, how the body is encoded, and raw bytes for the "random bytes" kind.</summary>
    private sealed record Post(bool Review, List<(string Name, string Value)> Fields, int Kind, byte[] Bytes)
    {
        public override string ToString() => $"{(Review ? "review" : "s/1")} kind {Kind}, {Fields.Count} fields, {Bytes.Length} bytes";
    }

    private static Gen<Post> Posts(string[] columns)
    {
        var name = Gen.Frequency((6, Gen.Int[0, columns.Length - 1].Select(i => columns[i])), (1, Value.Where(v => v.Length < 100)));
        var fields = Gen.Frequency(
                (24, Gen.Select(name, Value).Array[0, 8]),
                (1, Gen.Select(name, Gen.Const("1")).Array[490, 700]), // around the form's count limit (500)
                (1, Gen.Select(name, Huge).Array[1]))
            .Select(a => a.ToList());
        return Gen.Select(Gen.Int[0, 4].Select(i => i == 0), fields, Gen.Int[0, 3], Gen.Byte.Array[0, 300])
            .Select(t => new Post(t.Item1, t.Item2, t.Item3, t.Item4));
    }

    private static HttpContent Body(Post p, string csrf)
    {
        var fields = p.Fields.Append((Name: "__RequestVerificationToken", Value: csrf)).Append((Name: "action", Value: "next")).ToList();
        switch (p.Kind)
        {
            case 0: // what a browser sends, with any characters
                var text = string.Join("&", fields.Select(f => Uri.EscapeDataString(Utf8(f.Name)) + "=" + Uri.EscapeDataString(Utf8(f.Value))));
                return Form(Encoding.ASCII.GetBytes(text));
            case 1: // random bytes, percent-encoded: mostly invalid UTF-8
                return Form(Encoding.ASCII.GetBytes("q1_1_a=" + string.Concat(p.Bytes.Select(b => $"%{b:X2}"))
                    + "&__RequestVerificationToken=" + Uri.EscapeDataString(csrf) + "&action=next"));
            case 2: // random raw bytes as the whole body
                return Form(p.Bytes);
            default: // multipart with the fields as raw bytes
                var multipart = new MultipartFormDataContent();
                foreach (var (n, v) in fields) multipart.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(v)), n.Length == 0 ? "x" : Uri.EscapeDataString(Utf8(n)));
                return multipart;
        }

        static ByteArrayContent Form(byte[] bytes)
        {
            var c = new ByteArrayContent(bytes);
            c.Headers.ContentType = new("application/x-www-form-urlencoded");
            return c;
        }
        // Lone surrogates have no UTF-8 form; a browser sends U+FFFD for them.
        static string Utf8(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheQuestionnaireForms_UnderMalformedPosts_NeverFailAndStoreNothingRefused(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        var csrf = await TestApp.CsrfTokenAsync(client, $"/a/{token}/s/1");
        var columns = app.Survey.Sections[0].Questions.SelectMany(q => q.Items).SelectMany(i => i.Columns).ToArray();
        var stored = await DraftText(app);
        var (accepted, refused) = (0, 0);

        await Posts(columns).SampleAsync(async post =>
        {
            var path = post.Review ? $"/a/{token}/review" : $"/a/{token}/s/1";
            var response = await client.PostAsync(path, Body(post, csrf));
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {post}");
            var now = await DraftText(app);
            // A redirect saved the page; a 422 on the page saved its valid answers and refused the rest (issue 8: a save
            // keeps what it can). Either way only text XML can hold is stored. Any other refusal stores nothing.
            if (!post.Review && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.UnprocessableEntity)
            {
                if (response.StatusCode == HttpStatusCode.Redirect) accepted++; else refused++;
                Assert.True(XmlText.IsValid(now), "stored text XML cannot hold");
                stored = now;
            }
            else
            {
                refused++;
                Assert.True((int)response.StatusCode >= 400 || post.Review, $"{(int)response.StatusCode} for {post}");
                Assert.Equal(stored, now);
            }
        }, iter: provider == TestApp.Sqlite ? 1000 : 300, threads: 1, seed: null);

        Assert.True(refused > 0 && accepted > 0, $"accepted {accepted}, refused {refused}: the generator misses a side");
        Assert.Empty(await app.SubmissionsAsync("T01")); // the review page never submitted a tampered draft
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheImporter_UnderMalformedFiles_RefusesWholeAndStoresNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var lines = await File.ReadAllLinesAsync(ReportFixtures.ResponsesPath);
        var header = lines[0];
        var row = lines.First(l => l.StartsWith("R02,")).Split(',');
        var text = Array.IndexOf(header.Split(','), "q2_2");
        var n = 0;

        var file = Gen.Frequency(
            (1, Gen.Byte.Array[0, 400]),
            (3, Gen.Select(Gen.Frequency((20, Value), (1, Gen.Int[3_000, 5_000].Select(n => new string('a', n)))), Gen.Int[0, 2]).Select(t =>
            {
                var r = (string[])row.Clone();
                r[0] = $"F{++n}";
                r[t.Item2 == 0 ? text : t.Item2 == 1 ? 0 : 1] = "\"" + t.Item1.Replace("\"", "\"\"") + "\"";
                return new UTF8Encoding(false, false).GetBytes(header + "\r\n" + string.Join(",", r) + "\r\n");
            })));
        await file.SampleAsync(async bytes =>
        {
            await using var db = app.Db();
            var before = await db.Submissions.CountAsync();
            try
            {
                await ResponsesTransfer.ImportAsync(db, app.Survey, new MemoryStream(bytes), app.Clock);
                await using var check = app.Db();
                Assert.All(await check.Submissions.Select(s => s.Answers).ToListAsync(), a => Assert.True(XmlText.IsValid(a)));
            }
            catch (Core.UserError)
            {
                await using var check = app.Db();
                Assert.Equal(before, await check.Submissions.CountAsync());
            }
        }, iter: provider == TestApp.Sqlite ? 500 : 150, threads: 1, seed: null);
    }

    private static async Task<string> DraftText(TestApp app) =>
        await app.DraftAsync("T01") is { } d ? string.Join("\n", d.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)) : "";
}
