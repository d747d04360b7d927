using System.IO.Compression;
using System.Text;
using CsCheck;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.Configuration;
using Shirabe.Core.Responses;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>
/// Reading, validating and writing roster files (docs/roster-format.md, docs/decisions/044-roster-file.md): CSV in
/// UTF-8 and CP932, XLSX, every problem with its row and column or cell, the caps, duplicates, 100,000 rows, round trips,
/// and random input that never gets anything but the clear error.
/// </summary>
public class RosterFileTests
{
    private static readonly Encoding Cp932 = ResponsesReadOptions.ParseEncoding("cp932");

    private static byte[] Utf8(string text, bool bom = false) =>
        [.. bom ? Encoding.UTF8.GetPreamble() : [], .. Encoding.UTF8.GetBytes(text)];

    /// <summary>SC3's category column, as <see cref="RosterImport"/> reads it from the survey (checked below).</summary>
    internal static readonly RosterReadOptions Sc3 = new() { CategoryHeading = "業種" };

    private static (List<RosterEntry> Entries, IReadOnlyList<string> Attributes, IReadOnlyList<RosterProblem> Warnings) Read(
        byte[] bytes, string name = "roster.csv", RosterReadOptions? options = null) =>
        RosterFile.ReadAll(new MemoryStream(bytes), name, options ?? Sc3);

    private static RosterFileException Refused(byte[] bytes, string name = "roster.csv", RosterReadOptions? options = null) =>
        Assert.Throws<RosterFileException>(() => Read(bytes, name, options));

    private static List<string> Lines(RosterFileException e) => e.Problems.Select(p => p.ToString()).ToList();

    // ---------------------------------------------------------------- good files

    [Fact]
    public void TheSampleRoster_Reads57Invitees_WithTheCodesOfTheResponsesAndTheDemo()
    {
        using var file = File.OpenRead(Path.Combine(ReportFixtures.SurveyDir, "roster.csv"));
        var (entries, attributes, warnings) = RosterFile.ReadAll(file, "roster.csv", Sc3);

        Assert.Equal("業種", RosterFile.CategoryHeading(ReportFixtures.Survey())); // its 業種 column is SC3's category item
        Assert.Equal(57, entries.Count);
        Assert.Empty(attributes);
        Assert.Empty(warnings);
        var responded = File.ReadLines(ReportFixtures.ResponsesPath).Skip(1).Select(l => l.Split(',')[0])
            .Where(c => c.Length == 3 && c[0] == 'R').ToList();
        Assert.Equal(48, responded.Count);
        Assert.Equal(responded.Concat(DemoSeed.Unanswered.Select(u => u.Code)), entries.Select(e => e.Code));
        Assert.Equal("一般社団法人日本化学工業協会", entries[0].Name);
        Assert.Equal("製造業", entries[0].Category);
        Assert.Null(entries.Single(e => e.Code == "R16").Category); // 参考資料2 lists 「‐」
        Assert.Equal(DemoSeed.Unanswered.Select(u => (u.Name, u.Category)), entries.Skip(48).Select(e => (e.Name, e.Category!)));
        Assert.All(entries, e => Assert.EndsWith("@example.jp", e.Email));
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.ContactName)));
        Assert.Equal(["jimukyoku-r03@example.jp"], entries.Single(e => e.Code == "R03").Cc);
    }

    [Fact]
    public void TheCategoryColumn_IsTheSurveys_AndWithoutACategoryItemItsHeadingIsAnAttribute()
    {
        var csv = Utf8("コード,団体名,事業区分,業種\r\nA1,甲社,製造,東京\r\n");

        var own = Read(csv, options: new RosterReadOptions { CategoryHeading = "事業区分" });
        Assert.Equal("製造", own.Entries[0].Category);
        Assert.Equal(new Dictionary<string, string> { ["業種"] = "東京" }, own.Entries[0].Attributes);
        Assert.Equal(["業種"], own.Attributes);

        var none = Read(csv, options: new RosterReadOptions());
        Assert.Null(none.Entries[0].Category);
        Assert.Equal(["事業区分", "業種"], none.Attributes);

        var twice = Refused(Utf8("コード,団体名,業種,区分\r\nA1,甲社,製造,製造\r\n"));
        Assert.Equal(["1 行目 区分: 「業種」の列が 2 つあります（見出しは重複できません）。"], Lines(twice));

        using var ms = new MemoryStream();
        RosterFile.WriteCsv(ms, null, [], [new(2, "A1", "甲社", null, null, [], "製造", new Dictionary<string, string>())]);
        Assert.StartsWith("\uFEFF\"コード\",\"団体名\",\"担当者名\",\"メールアドレス\",\"CC\"\r\n\"A1\",\"甲社\",\"\",\"\",\"\"\r\n",
            Encoding.UTF8.GetString(ms.ToArray()));
    }

    [Fact]
    public void Csv_Utf8WithoutBom_ReadsEnglishAndFullWidthHeadings_AndKeepsOtherColumnsAsAttributes()
    {
        var csv = "ＣＯＤＥ, Name ,E-mail,ｃｃ,Category,会員数,備考\r\n"
            + "A-001,一般社団法人テスト協会,a@example.jp,\"b@example.jp; c@example.jp, d@example.jp\",製造業,120,\r\n"
            + ",,,,,,\r\n" // a blank line Excel wrote: skipped
            + "A-002,\u3000テスト工業会 ,,,,,要確認\r\n";

        var (entries, attributes, warnings) = Read(Utf8(csv));

        Assert.Equal(["会員数", "備考"], attributes);
        Assert.Empty(warnings);
        Assert.Equal(2, entries.Count);
        var a = entries[0];
        Assert.Equal(("A-001", "一般社団法人テスト協会", "a@example.jp", "製造業", 2L), (a.Code, a.Name, a.Email, a.Category, a.Row));
        Assert.Null(a.ContactName);
        Assert.Equal(["b@example.jp", "c@example.jp", "d@example.jp"], a.Cc);
        Assert.Equal(new Dictionary<string, string> { ["会員数"] = "120" }, a.Attributes);
        var b = entries[1];
        Assert.Equal(("テスト工業会", 4L), (b.Name, b.Row)); // trimmed, full-width space included
        Assert.Null(b.Email);
        Assert.Empty(b.Cc);
        Assert.Equal(new Dictionary<string, string> { ["備考"] = "要確認" }, b.Attributes);
    }

    [Fact]
    public void Csv_Utf8WithBom_IsRead()
    {
        using var roster = RosterFile.Open(new MemoryStream(Utf8("コード,団体名\r\nR01,日本化学工業協会\r\n", bom: true)), "r.csv");
        Assert.Equal("R01", roster.Entries().Single().Code);
        Assert.Equal(65001, roster.Encoding!.CodePage);
    }

    [Fact]
    public void Csv_Cp932_IsDetected_AndReadWithTheOptionToo()
    {
        var bytes = Cp932.GetBytes("コード,団体名,担当者名,業種\r\nR01,一般社団法人日本化学工業協会,松田 洋平,製造業\r\nR02,全日本印刷工業組合連合会,髙橋 一郎,その他\r\n");

        using (var roster = RosterFile.Open(new MemoryStream(bytes), "r.csv"))
        {
            var entries = roster.Entries().ToList();
            Assert.Equal(932, roster.Encoding!.CodePage);
            Assert.Equal(["一般社団法人日本化学工業協会", "全日本印刷工業組合連合会"], entries.Select(e => e.Name));
            Assert.Equal("髙橋 一郎", entries[1].ContactName); // an IBM extension character of CP932
        }
        var withOption = Read(bytes, options: Sc3 with { Encoding = Cp932 });
        Assert.Equal("製造業", withOption.Entries[0].Category);
    }

    [Fact]
    public void Xlsx_ReadsTheFirstSheet_SharedAndInlineStrings_NumbersDatesAndFlags_WithoutFurigana()
    {
        var bytes = Workbook("会員名簿", sheet =>
        {
            sheet.Row(1, S("コード"), S("団体名"), S("メールアドレス"), S("会員数"), S("設立"), S("加盟"));
            sheet.Data.LastChild!.Append(new Cell { CellReference = "KZ1", StyleIndex = 1 }); // formatted, empty: not a column
            sheet.Row(2, S("R01"), Furigana("日本化学工業協会", "ニホンカガクコウギョウキョウカイ"), I("a@example.jp"), N("120"), Date(36526), B(true));
            sheet.Row(4, N("2"), S("第二協会"), null, N("1.50"), null, B(false)); // row 3 missing: Excel leaves empty rows out
        });

        var (entries, attributes, _) = Read(bytes, "roster.xlsx");

        Assert.Equal(["会員数", "設立", "加盟"], attributes);
        Assert.Equal(("R01", "日本化学工業協会", "a@example.jp", 2L), (entries[0].Code, entries[0].Name, entries[0].Email, entries[0].Row));
        Assert.Equal(new Dictionary<string, string> { ["会員数"] = "120", ["設立"] = "2000-01-01", ["加盟"] = "TRUE" }, entries[0].Attributes);
        Assert.Equal(("2", 4L), (entries[1].Code, entries[1].Row));
        Assert.Equal("1.5", entries[1].Attributes["会員数"]);
    }

    // ---------------------------------------------------------------- problems

    [Fact]
    public void ACsvWithErrors_ListsEveryProblemWithRowAndColumn_AndYieldsNothing()
    {
        var csv = "コード,団体名,担当者名,メールアドレス,CC,業種,備考\r\n"
            + "R01,協会一,山田,foo@,,,\r\n"                                         // 2: malformed e-mail
            + ",協会二,,ｙａｍａｄａ＠example.jp,,,\r\n"                             // 3: no code, full-width e-mail
            + "R03,,\"改行\n入り\",,\"ok@example.jp; bad\",,\r\n"                    // 4: no name, line break, bad cc
            + "R01,協会四,,,,,\u0007\r\n"                                            // 5: duplicate code, control character
            + $"R05,{new string('名', 201)},,,,,,extra\r\n"                          // 6: too long, a value without a heading
            + "R06,協会六,,a@localhost,,,\r\n"                                       // 7: a domain without a dot
            + "R07,協会七,,Yamada <y@example.jp>,,,\r\n";                            // 8: a name with the address

        var e = Refused(Utf8(csv));

        Assert.Equal(
        [
            "2 行目 メールアドレス: 「foo@」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。",
            "3 行目 コード: コードが空です（団体ごとに一意のコードを書いてください）。",
            "3 行目 メールアドレス: 「ｙａｍａｄａ＠example.jp」に全角文字など半角英数字以外の文字があります。メールアドレスは半角で書いてください。",
            "4 行目 担当者名: 改行が含まれています（3 文字目）。1 行で書いてください。",
            "4 行目 団体名: 団体名が空です。",
            "4 行目 CC: 「bad」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。",
            "5 行目 備考: 制御文字（U+0007、1 文字目）が含まれています。その文字を消してください。",
            "5 行目 コード: コード「R01」は 2 行目と重複しています（コードは団体ごとに一意にしてください）。",
            "6 行目: 見出しのない列に値があります（1 行目に見出しを書くか、値を消してください）。",
            "6 行目 団体名: 長すぎます（201 文字。200 文字まで）。",
            "7 行目 メールアドレス: 「a@localhost」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。",
            "8 行目 メールアドレス: 「Yamada <y@example.jp>」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。",
        ], Lines(e));
        Assert.StartsWith("名簿ファイルに 12 件の誤りがあります。\n2 行目 メールアドレス", e.Message);
    }

    [Fact]
    public void AFileWithAnError_YieldsOnlyRowsBeforeIt_AndThenThrows_SoAnImportCommitsNothing()
    {
        using var roster = RosterFile.Open(new MemoryStream(Utf8("コード,団体名\r\nR01,一\r\nR02,\r\nR03,三\r\n")), "r.csv");
        var yielded = new List<string>();
        Assert.Throws<RosterFileException>(() => { foreach (var entry in roster.Entries()) yielded.Add(entry.Code); });
        Assert.Equal(["R01"], yielded); // after the first error nothing more is yielded; the consumer has not committed
    }

    [Fact]
    public void AnXlsxWithErrors_NamesEachCell()
    {
        var bytes = Workbook("Sheet1", sheet =>
        {
            sheet.Row(1, S("コード"), S("団体名"), S("担当者名"), S("メールアドレス"));
            sheet.Row(2, S("R01"), S("協会一"), null, S("ok@example.jp"));
            sheet.Row(3, S("R02"), S("協会二"), null, S("foo@"));
            sheet.Row(4, S("R01"), Error("#N/A"), S("a_x0001_"), null); // Excel escapes what XML cannot hold
        });

        var e = Refused(bytes, "roster.xlsx");

        Assert.Equal(
        [
            "Sheet1!D3 メールアドレス: 「foo@」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。",
            "Sheet1!B4: エラー値（#N/A）のセルは読めません。値を文字で書いてください。",
            "Sheet1!C4 担当者名: 制御文字（U+0001、2 文字目）が含まれています。その文字を消してください。",
            "Sheet1!A4 コード: コード「R01」は 2 行目と重複しています（コードは団体ごとに一意にしてください）。",
        ], Lines(e));
    }

    [Fact]
    public void MissingAndDuplicateHeadings_AreListedWithTheRowsProblems()
    {
        var e = Refused(Utf8("担当者, メール ,Ｅ－ｍａｉｌ,備考,備 考\r\n山田,x@,,,\r\n"));

        Assert.Equal(
        [
            "1 行目 Ｅ－ｍａｉｌ: 「メールアドレス」の列が 2 つあります（見出しは重複できません）。",
            "1 行目 備 考: 見出し「備考」と同じ列です（見出しは重複できません）。",
            "1 行目: 「コード」の列がありません（見出しは コード・団体コード・code・id のどれか）。",
            "1 行目: 「団体名」の列がありません（見出しは 団体名・名称・name のどれか）。",
            "2 行目 メール: 「x@」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。",
        ], Lines(e));
    }

    [Fact]
    public void DuplicateEmails_AreWarnings_AndTheRosterIsRead()
    {
        var (entries, _, warnings) = Read(Utf8("コード,団体名,メールアドレス\r\nR01,一,Shared@Example.jp\r\nR02,二,shared@example.jp\r\nR03,三,other@example.jp\r\n"));

        Assert.Equal(3, entries.Count);
        var warning = Assert.Single(warnings);
        Assert.True(warning.IsWarning);
        Assert.Equal("3 行目 メールアドレス: 「shared@example.jp」は 2 行目と同じアドレスです（同じ担当者が複数の団体を受け持つ場合はこのままで構いません）。", warning.ToString());
    }

    [Theory]
    [InlineData("", "ファイル: 見出し行がありません（1 行目に コード, 団体名, … の見出しを書いてください）。")]
    [InlineData("コード,団体名\r\n", "ファイル: 団体の行がありません（見出し行の下に 1 団体 1 行で書いてください）。")]
    [InlineData("コード,団体名\r\nR01,\"一\r\nR02,二\r\n", "2 行目: CSV の引用符（\"）の対応が崩れています。")]
    public void EmptyOrBrokenCsv_IsRefusedClearly(string csv, string expected)
    {
        Assert.Equal([expected], Lines(Refused(Utf8(csv))));
    }

    [Fact]
    public void BytesThatAreNeitherUtf8NorCp932_AreRefusedWithTheEncodingAdvice()
    {
        byte[] bytes = [.. Utf8("コード,団体名\r\nR01,"), 0x82, 0xFF, .. "\r\n"u8];
        Assert.Equal(["2 行目: UTF-8 としても Shift_JIS（CP932）としても読めない文字があります。Excel で「CSV UTF-8 (コンマ区切り)」として保存し直してください。"],
            Lines(Refused(bytes)));
    }

    [Theory]
    [InlineData(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }, "roster.xls", "古い形式の Excel ファイル（.xls）")]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x33, 0x30 }, "roster.txt", "UTF-16")]
    [InlineData(new byte[] { 0x41, 0x42 }, "roster.xlsx", "Excel のワークブック（.xlsx）として読めません")]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x00 }, "roster.xlsx", "Excel のワークブック（.xlsx）として読めません")]
    public void FilesOfTheWrongKind_AreRefusedSayingHowToSave(byte[] bytes, string name, string expected)
    {
        Assert.Contains(expected, Assert.Single(Refused(bytes, name).Problems).Message);
    }

    // ---------------------------------------------------------------- caps

    [Fact]
    public void AFileOverTheSizeCap_IsRefusedBeforeReading_SeekableOrNot()
    {
        var bytes = Utf8("コード,団体名\r\n" + string.Concat(Enumerable.Range(1, 200).Select(i => $"R{i},団体{i}\r\n")));
        var options = new RosterReadOptions { MaxFileBytes = 1000 };

        Assert.Equal($"ファイル: ファイルが大きすぎます（{bytes.Length:#,0} バイト。上限は 1,000 バイト）。名簿を分けて取り込んでください。",
            Assert.Single(Lines(Refused(bytes, options: options))));
        var e = Assert.Throws<RosterFileException>(() => RosterFile.ReadAll(new ForwardOnly(bytes), "r.csv", options));
        Assert.Contains("上限は 1,000 バイト", e.Message);
    }

    [Fact]
    public void TooManyRows_IsRefusedAtTheFirstRowOverTheCap()
    {
        var csv = "コード,団体名\r\n" + string.Concat(Enumerable.Range(1, 12).Select(i => $"R{i},団体{i}\r\n"));
        var read = new List<string>();
        using var roster = RosterFile.Open(new MemoryStream(Utf8(csv)), "r.csv", new RosterReadOptions { MaxRows = 10 });
        var e = Assert.Throws<RosterFileException>(() => { foreach (var entry in roster.Entries()) read.Add(entry.Code); });

        Assert.Equal(["12 行目: 行が多すぎます（上限は 10 行）。名簿を分けて取り込んでください。"], Lines(e));
        Assert.Equal(10, read.Count);
    }

    [Fact]
    public void TooManyColumns_AndOverlongCells_AreRefused()
    {
        var wide = "コード,団体名," + string.Join(",", Enumerable.Range(1, 9).Select(i => $"属性{i}")) + "\r\nR01,一\r\n";
        Assert.Equal(["1 行目: 列が多すぎます（11 列。上限は 10 列）。"], Lines(Refused(Utf8(wide), options: new RosterReadOptions { MaxColumns = 10 })));

        var longCell = $"コード,団体名,備考\r\nR01,一,{new string('x', 51)}\r\n";
        Assert.Equal(["2 行目 備考: 長すぎます（51 文字。50 文字まで）。"], Lines(Refused(Utf8(longCell), options: new RosterReadOptions { MaxCellLength = 50 })));
    }

    [Fact]
    public void AZipBomb_IsRefusedWhileUnpacking_BeforeAnyXmlIsParsed()
    {
        var roster = Workbook("Sheet1", s => { s.Row(1, S("コード"), S("団体名")); s.Row(2, S("R01"), S("一")); });
        using var bomb = new MemoryStream();
        bomb.Write(roster);
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Update, leaveOpen: true))
        using (var entry = zip.CreateEntry("xl/media/zeros.bin", CompressionLevel.Optimal).Open())
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++) entry.Write(zeros); // 64 MiB that compress to about 64 KiB
        }
        Assert.True(bomb.Length < 1 << 20);

        var e = Refused(bomb.ToArray(), "roster.xlsx", new RosterReadOptions { MaxUnzippedBytes = 32 << 20 });
        Assert.Equal(["ファイル: ワークブックを展開すると大きすぎます（上限は 33,554,432 バイト）。名簿のシートだけを保存したファイルにするか、名簿を分けてください。"], Lines(e));
    }

    [Fact]
    public void AWorkbookWithTooManyParts_IsRefused()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            for (var i = 0; i < 1001; i++) zip.CreateEntry($"x/{i}.xml");
        Assert.Equal(["ファイル: ワークブックの部品が多すぎます（1,001 個。上限は 1,000 個）。"], Lines(Refused(ms.ToArray(), "roster.xlsx")));
    }

    [Fact]
    public void TheCaps_AreReadFromConfiguration_WithTheDefaultsWhereUnsetOrInvalid()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shirabe:Roster:MaxRows"] = "500", ["Shirabe:Roster:MaxFileBytes"] = "1048576", ["Shirabe:Roster:MaxColumns"] = "-3",
        }).Build();

        var options = RosterReadOptions.From(config);

        Assert.Equal((500, 1L << 20, 100, 256L << 20), (options.MaxRows, options.MaxFileBytes, options.MaxColumns, options.MaxUnzippedBytes));
    }

    // ---------------------------------------------------------------- size


    // ---------------------------------------------------------------- round trips

    private static readonly string[] RoundTripAttributes = ["会員数", "=メモ"];

    private static List<RosterEntry> RoundTripEntries() =>
    [
        new(2, "R01", "=HYPERLINK(\"http://evil.example/\",\"協会\")", "+81 山田", "a@example.jp", ["b@example.jp", "c@example.jp"], "製造業",
            new Dictionary<string, string> { ["会員数"] = "001", ["=メモ"] = "@SUM(A1)" }),
        new(3, "R02", "'引用符で始まる団体'", "－田中", null, [], null, new Dictionary<string, string> { ["=メモ"] = "-1" }),
        new(4, "0123", "日本「架空」協会, 東京", null, "d@example.jp", [], "卸売業，小売業", new Dictionary<string, string>()),
    ];

    private static void AssertSameRoster(List<RosterEntry> expected, List<RosterEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.Code, e.Name, e.ContactName, e.Email, e.Category), (a.Code, a.Name, a.ContactName, a.Email, a.Category));
            Assert.Equal(e.Cc, a.Cc);
            Assert.Equal(e.Attributes.OrderBy(kv => kv.Key), a.Attributes.OrderBy(kv => kv.Key));
        }
    }

    [Fact]
    public void CsvExport_NeutralisesFormulas_AndReadsBackTheSame()
    {
        using var ms = new MemoryStream();
        RosterFile.WriteCsv(ms, "業種", RoundTripAttributes, RoundTripEntries());
        var text = Encoding.UTF8.GetString(ms.ToArray());

        Assert.StartsWith("\uFEFF\"コード\",\"団体名\",\"担当者名\",\"メールアドレス\",\"CC\",\"業種\",\"会員数\",\"'=メモ\"\r\n", text);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"協会\"\")\"", text);
        Assert.Contains("\"'+81 山田\"", text);
        Assert.Contains("\"'@SUM(A1)\"", text);
        Assert.Contains("\"b@example.jp; c@example.jp\"", text);

        var (entries, attributes, _) = Read(ms.ToArray());
        Assert.Equal(RoundTripAttributes, attributes);
        AssertSameRoster(RoundTripEntries(), entries);
    }

    [Fact]
    public void XlsxExport_IsValid_MarksFormulaTextAsText_AndReadsBackTheSame()
    {
        using var ms = new MemoryStream();
        RosterFile.WriteXlsx(ms, "業種", RoundTripAttributes, RoundTripEntries());

        using (var doc = SpreadsheetDocument.Open(new MemoryStream(ms.ToArray()), false))
        {
            Assert.Empty(new OpenXmlValidator(FileFormatVersions.Office2019).Validate(doc));
            var sheet = doc.WorkbookPart!.WorksheetParts.Single().Worksheet!;
            Assert.Empty(sheet.Descendants<CellFormula>());
            var formats = doc.WorkbookPart.WorkbookStylesPart!.Stylesheet!.CellFormats!.Elements<CellFormat>().ToArray();
            var b2 = sheet.Descendants<Cell>().Single(c => c.CellReference == "B2");
            Assert.Equal("=HYPERLINK(\"http://evil.example/\",\"協会\")", b2.InlineString!.InnerText);
            Assert.True(formats[(int)b2.StyleIndex!.Value].QuotePrefix?.Value);
            Assert.Null(sheet.Descendants<Cell>().Single(c => c.CellReference == "A2").StyleIndex);
            Assert.Equal("名簿", doc.WorkbookPart.Workbook!.Sheets!.Elements<Sheet>().Single().Name!.Value);
        }

        var (entries, attributes, _) = Read(ms.ToArray(), "roster.xlsx");
        Assert.Equal(RoundTripAttributes, attributes);
        AssertSameRoster(RoundTripEntries(), entries);
    }

    // ---------------------------------------------------------------- fuzz

    private static readonly Gen<char> NastyChar = Gen.Frequency(
        (3, Gen.Char['a', 'z']), (2, Gen.Char['\u3040', '\u30FF']), (2, Gen.Char['\0', '\u001F']),
        (1, Gen.Int[0, 1].Select(i => i == 0 ? '\uFFFE' : '\uFFFF')), (1, Gen.Char['\uD800', '\uDFFF']),
        (3, Gen.Int[0, 11].Select(i => ",;\"\r\n\t\uFEFF@='＠."[i])), (2, Gen.Char['0', '9']));

    /// <summary>A CSV roster with random cells, encoded as UTF-8, CP932 (with replacement) or cut short.</summary>
    private static readonly Gen<byte[]> RandomCsv = Gen.Select(
            NastyChar.Array[0, 20].Select(c => new string(c)).Array[1, 8].Array[0, 6], Gen.Int[0, 3], Gen.Int[0, 100])
        .Select(t =>
        {
            var text = "コード,団体名,メールアドレス,CC,属性\r\n" + string.Concat(t.Item1.Select(r => string.Join(",", r) + "\r\n"));
            var bytes = t.Item2 switch
            {
                0 => ResponsesReadOptions.ParseEncoding("utf-8").GetBytes(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text))),
                1 => Encoding.GetEncoding(932).GetBytes(text),
                _ => Encoding.UTF8.GetBytes(text),
            };
            return t.Item2 == 3 ? bytes[..(bytes.Length * t.Item3 / 100)] : bytes;
        });

    /// <summary>A valid workbook with random bytes overwritten: mostly a broken zip or broken XML.</summary>
    private static Gen<byte[]> BrokenXlsx(byte[] workbook) => Gen.Select(Gen.Int[0, workbook.Length - 1], Gen.Byte, Gen.Int[1, 8])
        .Select(t =>
        {
            var copy = (byte[])workbook.Clone();
            for (var i = 0; i < t.Item3; i++) copy[(t.Item1 + i * 37) % copy.Length] = (byte)(t.Item2 + i);
            return copy;
        });

    [Fact]
    public void RandomInput_IsEitherReadOrRefusedWithTheClearError_NeverAnotherException()
    {
        using var ms = new MemoryStream();
        RosterFile.WriteXlsx(ms, "業種", RoundTripAttributes, RoundTripEntries());
        var workbook = ms.ToArray();
        var inputs = Gen.Frequency(
            (2, Gen.Byte.Array[0, 400].Select(b => (b, "random.csv"))),
            (1, Gen.Byte.Array[0, 400].Select(b => (b, "random.xlsx"))),
            (3, RandomCsv.Select(b => (b, "random.csv"))),
            (3, BrokenXlsx(workbook).Select(b => (b, "broken.xlsx"))));

        inputs.Sample(input =>
        {
            try
            {
                var (entries, _, _) = Read(input.Item1, input.Item2);
                foreach (var e in entries)
                    foreach (var value in new[] { e.Code, e.Name, e.ContactName, e.Email, e.Category }.Concat(e.Cc).Concat(e.Attributes.Values))
                        Assert.True(value is null || RosterFile.Invalid(value) is null, $"stored a value that breaks the rules: {value}");
            }
            catch (RosterFileException e)
            {
                Assert.NotEmpty(e.Problems);
            }
        }, iter: 3000, threads: 1, seed: null);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A stream that cannot seek, like a request body.</summary>
    private sealed class ForwardOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }

    private delegate Cell CellMaker(string reference, SharedStrings strings);

    private sealed class SharedStrings
    {
        public readonly List<SharedStringItem> Items = [];
        public int Add(SharedStringItem item) { Items.Add(item); return Items.Count - 1; }
    }

    private sealed class SheetBuilder(SharedStrings strings)
    {
        public readonly SheetData Data = new();

        public void Row(uint index, params CellMaker?[] cells)
        {
            var row = new Row { RowIndex = index };
            for (var i = 0; i < cells.Length; i++)
                if (cells[i] is { } make) row.Append(make(RosterFile.ColumnLetters(i + 1) + index, strings));
            Data.Append(row);
        }
    }

    private static CellMaker S(string text) => (r, ss) => new Cell
    {
        CellReference = r, DataType = CellValues.SharedString, CellValue = new CellValue(ss.Add(new SharedStringItem(new Text(text)))),
    };

    /// <summary>A shared string with Excel's phonetic guide, which is not part of the value.</summary>
    private static CellMaker Furigana(string text, string reading) => (r, ss) => new Cell
    {
        CellReference = r, DataType = CellValues.SharedString,
        CellValue = new CellValue(ss.Add(new SharedStringItem(new Text(text), new PhoneticRun(new Text(reading)) { BaseTextStartIndex = 0, EndingBaseIndex = (uint)text.Length }))),
    };

    private static CellMaker I(string text) => (r, _) => new Cell { CellReference = r, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text)) };
    private static CellMaker N(string number) => (r, _) => new Cell { CellReference = r, CellValue = new CellValue(number) };
    private static CellMaker Date(int serial) => (r, _) => new Cell { CellReference = r, StyleIndex = 1, CellValue = new CellValue(serial) };
    private static CellMaker B(bool value) => (r, _) => new Cell { CellReference = r, DataType = CellValues.Boolean, CellValue = new CellValue(value ? "1" : "0") };
    private static CellMaker Error(string value) => (r, _) => new Cell { CellReference = r, DataType = CellValues.Error, CellValue = new CellValue(value) };

    /// <summary>A workbook of one sheet; style 1 is a date format (14).</summary>
    private static byte[] Workbook(string sheetName, Action<SheetBuilder> fill)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var book = doc.AddWorkbookPart();
            book.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook();
            var styles = book.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font()) { Count = 1 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None })) { Count = 1 },
                new Borders(new Border()) { Count = 1 },
                new CellFormats(new CellFormat(), new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }) { Count = 2 });
            var strings = new SharedStrings();
            var sheet = new SheetBuilder(strings);
            fill(sheet);
            var sheetPart = book.AddNewPart<WorksheetPart>();
            sheetPart.Worksheet = new Worksheet(sheet.Data);
            book.AddNewPart<SharedStringTablePart>().SharedStringTable = new SharedStringTable(strings.Items) { Count = (uint)strings.Items.Count };
            book.Workbook.AppendChild(new Sheets(new Sheet { Id = book.GetIdOfPart(sheetPart), SheetId = 1, Name = sheetName }));
        }
        return ms.ToArray();
    }
}

/// <summary>
/// The memory measurement of a 100,000-row roster, alone in its collection: GC.GetTotalMemory counts the whole process,
/// so no other test may allocate while it runs.
/// </summary>
[CollectionDefinition(nameof(RosterFileMemoryTests), DisableParallelization = true)]
public sealed class RosterFileMemoryCollection;

[Collection(nameof(RosterFileMemoryTests))]
public class RosterFileMemoryTests
{
    [Fact]
    public void A100000RowRoster_IsStreamed_InCsvAndXlsx()
    {
        const int rows = 100_000;
        var attributes = new[] { "会員数", "地域" };
        IEnumerable<RosterEntry> Generate() => Enumerable.Range(1, rows).Select(i => new RosterEntry(0, $"M{i:D6}", $"会員企業{i}株式会社",
            $"担当 {i}", $"user{i}@example.jp", i % 7 == 0 ? [$"cc{i}@example.jp"] : [], "製造業",
            new Dictionary<string, string> { ["会員数"] = (i % 500).ToString(), ["地域"] = "関東" }));

        foreach (var format in new[] { "csv", "xlsx" })
        {
            var path = Path.Combine(Path.GetTempPath(), $"roster-{Guid.NewGuid():N}.{format}");
            try
            {
                using (var file = File.Create(path))
                    if (format == "csv") RosterFile.WriteCsv(file, "業種", attributes, Generate());
                    else RosterFile.WriteXlsx(file, "業種", attributes, Generate());

                using var roster = RosterFile.Open(File.OpenRead(path), Path.GetFileName(path), RosterFileTests.Sc3);
                var count = 0;
                RosterEntry? last = null;
                GC.Collect();
                var before = GC.GetTotalMemory(forceFullCollection: true);
                long during = 0;
                foreach (var entry in roster.Entries())
                {
                    count++;
                    last = entry;
                    if (count == rows / 2) during = GC.GetTotalMemory(forceFullCollection: true);
                }
                Assert.Equal(rows, count);
                Assert.Equal(("M100000", "会員企業100000株式会社", (long)rows + 1), (last!.Code, last.Name, last.Row));
                Assert.Equal(attributes, roster.Attributes);
                // Only the duplicate checks' sets of codes and addresses grow (the XLSX's shared strings are none: inline strings).
                Assert.True(during - before < 25 << 20, $"{format}: {during - before:#,0} bytes held half-way");
            }
            finally { File.Delete(path); }
        }
    }
}
