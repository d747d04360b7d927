using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using Shirabe.Core.Questionnaire;
using Shirabe.Surveys;

namespace Shirabe.Tests;

/// <summary>The survey definition as an Excel workbook (docs/survey-format.md, decision 037): round trip, errors by cell, limits.</summary>
public class SurveyWorkbookTests
{
    public static TheoryData<string> Surveys() => new()
    {
        ReportFixtures.SurveyDir,
        Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2024"), // renames with sameAs, on items and options
        Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment"),
    };

    /// <summary>Every field of the model, so that two loads can be compared whole.</summary>
    private static string Dump(Survey s) => JsonSerializer.Serialize(new
    {
        s.Id, s.Title, s.Owner, s.Contact, s.Privacy, s.Mail, Opens = s.Period.Opens.ToString(), Closes = s.Period.Closes.ToString(), Zone = s.Period.TimeZone.Id,
        Scales = s.Scales.Select(x => new { x.Id, x.Points }),
        Sections = s.Sections.Select(sec => new
        {
            sec.Id, sec.Title,
            Questions = sec.Questions.Select(q => new
            {
                q.Code, q.Prompt, q.Note, q.Title, q.PageBreak,
                Items = q.Items.Select(i => new
                {
                    i.Code, Kind = i.Kind.ToString(), i.Label, i.Short, Role = i.Role.ToString(), Input = i.Input.ToString(), i.MaxLength,
                    i.Options, Scale = i.Scale?.Id, i.Parts, i.Total, i.Required, i.Personal, i.SameAs,
                    ShowIf = i.ShowIf is { } c ? new { Items = c.Items.Select(x => x.Code), c.AnyOf } : null,
                }),
            }),
        }),
    }, new JsonSerializerOptions { WriteIndented = true });

    private static byte[] ToXlsx(Survey survey)
    {
        using var ms = new MemoryStream();
        SurveyWorkbook.Write(survey, ms);
        return ms.ToArray();
    }

    [Theory, MemberData(nameof(Surveys))]
    public void YamlToXlsxToYaml_GivesTheSameSurvey(string dir)
    {
        var original = SurveyLoader.LoadFile(dir);
        var xlsx = ToXlsx(original);
        var (read, yaml) = SurveyWorkbook.Read(new MemoryStream(xlsx), "survey.xlsx");
        Assert.Equal(Dump(original), Dump(read));
        Assert.Equal(Dump(original), Dump(SurveyLoader.Load(yaml)));

        // Exported again, the workbook gives the same YAML text: the conversion is stable.
        var (_, again) = SurveyWorkbook.Read(new MemoryStream(ToXlsx(read)), "survey.xlsx");
        Assert.Equal(yaml, again);

        using var doc = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        Assert.Empty(new OpenXmlValidator(FileFormatVersions.Office2019).Validate(doc));
        var sheets = doc.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Select(x => x.Name!.Value!).ToArray();
        // The privacy sheet is there exactly when the survey has a privacy notice (SC3 has one, the others none), the mail
        // sheet when it defines templates of its own.
        string[] expected = ["survey", "choices", "settings", .. original.Privacy is null ? [] : new[] { "privacy" },
            .. SurveyMail.Kinds.Any(k => original.Mail.Defined(k) is not null) ? ["mail"] : Array.Empty<string>()];
        Assert.Equal(expected, sheets);
        foreach (var part in doc.WorkbookPart.WorksheetParts)
        {
            var pane = part.Worksheet.Descendants<Pane>().Single();
            Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
            Assert.Equal("A2", pane.TopLeftCell!.Value);
            Assert.NotEmpty(part.Worksheet.Descendants<Column>());
        }
        // The code column is formatted as text, so that a code typed into a new row stays as typed.
        var survey = (WorksheetPart)doc.WorkbookPart.GetPartById(doc.WorkbookPart.Workbook.Sheets!.Elements<Sheet>().First().Id!.Value!);
        var codeColumn = survey.Worksheet.Descendants<Column>().Single(c => c.Min!.Value == 2);
        var format = doc.WorkbookPart.WorkbookStylesPart!.Stylesheet!.CellFormats!.Elements<CellFormat>().ElementAt((int)codeColumn.Style!.Value);
        Assert.Equal(49u, format.NumberFormatId!.Value);
    }

    /// <summary>SC3 with two templates of its own (one with every placeholder, characters YAML and XML quote, blank lines).</summary>
    [Fact]
    public void MailTemplates_SurviveTheRoundTrip()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-mail-");
        try
        {
            var yaml = File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "survey.yaml")) + """

                mail:
                  invitation:
                    subject: "【ご協力のお願い】{{調査名}} \"回答\" & <依頼>"
                    body: |
                      {{団体名}}
                      {{担当者名}} 様

                      期限: {{回答期限}}	（タブ）
                      {{回答URL}}

                      {{個人情報の取扱い}}
                      {{事務局連絡先}}: a: b # not a comment
                  receipt:
                    subject: ありがとうございました
                    body: "{{個人情報の取扱い}}"

                """;
            File.WriteAllText(Path.Combine(dir.FullName, "survey.yaml"), yaml);
            var original = SurveyLoader.LoadFile(dir.FullName);
            Assert.Contains("\"回答\" & <依頼>", original.Mail.Invitation!.Subject, StringComparison.Ordinal);
            Assert.Contains("\n\n期限: {{回答期限}}\t（タブ）\n", original.Mail.Invitation.Body, StringComparison.Ordinal);
            Assert.Null(original.Mail.Reminder);
            YamlToXlsxToYaml_GivesTheSameSurvey(dir.FullName);

            var (read, _) = SurveyWorkbook.Read(new MemoryStream(ToXlsx(original)), "survey.xlsx");
            Assert.Equal(original.Mail, read.Mail);
            Assert.Null(read.Mail.Reminder); // not turned into the default written out
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void AMailSheet_IsRead_AndItsProblemsNameTheirCells()
    {
        string?[][] survey = [["type", "code", "kind", "prompt", "title"], ["section", "A", null, null, "基本"], ["question", "Q1", "text", "ご意見"]];
        var good = ("mail", new string?[][]
        {
            ["kind", "subject", "body"], ["reminder", "【再送】{{調査名}}", "{{団体名}} 様\n\n{{回答URL}}\n{{個人情報の取扱い}}"],
        });
        var (read, _) = SurveyWorkbook.Read(new MemoryStream(Book(Settings, Choices, ("survey", survey), good)), "m.xlsx");
        Assert.Equal(new MailTemplate("【再送】{{調査名}}", "{{団体名}} 様\n\n{{回答URL}}\n{{個人情報の取扱い}}"), read.Mail.Reminder);

        var bad = ("mail", new string?[][]
        {
            ["kind", "subject", "body"],
            ["invitation", "ご案内", "{{回答URL}} {{個人情報の取扱い}} {{会社名}}"], // unknown placeholder: the body's cell
            ["thanks", "x", "y"],                                                 // unknown kind: its cell
            ["invitation", "二度目", "z"],                                         // duplicate kind
            ["reminder", "再送"],                                                  // no body: named at its kind
        });
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(Book(Settings, Choices, ("survey", survey), bad)), "m.xlsx"));
        var lines = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("mail!C2: mail.invitation.body: 差し込み項目「{{会社名}}」は使えません", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mail!A3: kind には invitation, reminder, receipt のどれか", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mail!A4: kind「invitation」の行が重複しています", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mail!A5: reminder の body（本文）が空です", StringComparison.Ordinal));
        Assert.Equal(4, lines.Length);
    }

    /// <summary>
    /// A workbook as Excel saves what people type: text in the shared-string table with a phonetic guide (ふりがな) that
    /// is not part of the value, digits as number cells, "date:SERIAL" as a number cell with a date format.
    /// </summary>
    private static byte[] Book(params (string Name, string?[][] Rows)[] sheets)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var book = doc.AddWorkbookPart();
            book.Workbook = new Workbook(new Sheets());
            book.AddNewPart<WorkbookStylesPart>().Stylesheet = new Stylesheet(
                new Fonts(new Font()), new Fills(new Fill(new PatternFill { PatternType = PatternValues.None })), new Borders(new Border()),
                new CellFormats(new CellFormat(), new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));
            var strings = new SharedStringTable();
            uint id = 1;
            foreach (var (name, rows) in sheets)
            {
                var part = book.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                for (var r = 0; r < rows.Length; r++)
                {
                    var row = new Row { RowIndex = (uint)r + 1 };
                    for (var c = 0; c < rows[r].Length; c++)
                    {
                        if (rows[r][c] is not { } v) continue;
                        var reference = (char)('A' + c) + (r + 1).ToString(CultureInfo.InvariantCulture);
                        if (v.StartsWith("date:", StringComparison.Ordinal))
                            row.Append(new Cell { CellReference = reference, StyleIndex = 1, CellValue = new CellValue(v[5..]) });
                        else if (v.All(char.IsAsciiDigit))
                            row.Append(new Cell { CellReference = reference, CellValue = new CellValue(v) });
                        else
                        {
                            strings.Append(new SharedStringItem(new Text(v),
                                new PhoneticRun(new Text("ヨミ")) { BaseTextStartIndex = 0, EndingBaseIndex = 1 }));
                            row.Append(new Cell
                            {
                                CellReference = reference, DataType = CellValues.SharedString,
                                CellValue = new CellValue((strings.ChildElements.Count - 1).ToString(CultureInfo.InvariantCulture)),
                            });
                        }
                    }
                    data.Append(row);
                }
                part.Worksheet = new Worksheet(data);
                book.Workbook.Sheets!.Append(new Sheet { Id = book.GetIdOfPart(part), SheetId = id++, Name = name });
            }
            book.AddNewPart<SharedStringTablePart>().SharedStringTable = strings;
        }
        return ms.ToArray();
    }

    [Fact]
    public void CellsAsExcelSavesThem_SharedStringsWithReadingsAndDates_ReadAsTyped()
    {
        var (survey, _) = SurveyWorkbook.Read(new MemoryStream(Book(
            ("settings", [["id", "title", "opens", "closes", "timeZone"], ["typed", "入力した調査票", "date:45444", "date:45473", "Asia/Tokyo"]]),
            Choices,
            ("survey",
            [
                ["type", "code", "kind", "prompt", "choices", "maxLength", "required", "title"],
                ["section", "1", null, null, null, null, null, "回答者"],
                ["question", "1-1", "single", "はいかいいえ", "yn", null, "TRUE"],
                ["question", "1-2", "text", "ご意見", null, "60"],
            ]))), "typed.xlsx");
        Assert.Equal("入力した調査票", survey.Title); // without the phonetic guide
        Assert.Equal(new DateOnly(2024, 6, 1), survey.Period.Opens);
        Assert.Equal(new DateOnly(2024, 6, 30), survey.Period.Closes);
        Assert.Equal("1", survey.Sections[0].Id);
        Assert.Equal(["はい", "いいえ"], survey["1-1"].Options.Select(o => o.Label));
        Assert.True(survey["1-1"].Required);
        Assert.Equal(60, survey["1-2"].MaxLength);
    }

    private static readonly (string, string?[][]) Settings = ("settings",
    [
        ["id", "title", "opens", "closes", "timeZone"],
        ["broken", "壊れた調査票", "2024-06-01", "2024-06-30", "Asia/Tokyo"],
    ]);

    private static readonly (string, string?[][]) Choices = ("choices", [["list", "code", "label"], ["yn", "1", "はい"], ["yn", "2", "いいえ"]]);

    private static byte[] BrokenBook() => Book(Settings, Choices, ("survey",
    [
        ["type", "code", "kind", "prompt", "title", "choices", "showIf", "maxLength", "colour"],
        ["section", "A", null, null, "基本"],
        ["question", "Q1", "single", "質問1", null, "yn"],
        ["question", "Q2", "checkbox", "質問2"],
        ["question", "Q3", "single", "質問3", null, "nosuch"],
        ["question", "Q4", "text", "質問4", null, null, "ZZ = 1"],
        ["question", "Q5", "text", "質問5", null, null, null, "abc", "red"],
        ["question", "Q6", "text", "質問6", null, null, null, "60"],
    ]));

    [Fact]
    public void ABrokenWorkbook_ListsEveryProblemWithItsSheetAndCell()
    {
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(BrokenBook()), "broken.xlsx"));
        var lines = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("survey!I1: 不明な見出し「colour」", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!C4: 設問 Q2 の kind「checkbox」は使えません", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!F5: 選択肢リスト「nosuch」が choices シートにありません", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!G6: 設問 Q4 の showIf が、この設問より前にない設問 ZZ を参照しています", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!H7: 設問 Q5: maxLength は 1 から 4000 までの整数で書いてください", StringComparison.Ordinal));
        Assert.Equal(5, lines.Length); // one each: the unknown column's values and the missing list's knock-on errors are not repeated
        Assert.StartsWith("調査票のワークブックに誤りがあります:", e.Message);
    }

    [Fact]
    public void APrivacySheet_IsReadIntoTheNotice_AndItsProblemsNameTheirCells()
    {
        var good = ("privacy", new string?[][]
        {
            ["field", "text"], ["purpose", "集計と報告書の作成"], ["purpose", "次回調査のご案内"], ["contact", "事務局 survey@example.jp"],
        });
        var survey = Book(Settings, Choices, ("survey", [["type", "code", "kind", "prompt", "title"], ["section", "A", null, null, "基本"], ["question", "Q1", "text", "ご意見"]]), good);
        var (read, _) = SurveyWorkbook.Read(new MemoryStream(survey), "p.xlsx");
        Assert.Equal(["集計と報告書の作成", "次回調査のご案内"], read.Privacy!.Purposes);
        Assert.Equal("事務局 survey@example.jp", read.Privacy.Contact);

        var bad = ("privacy", new string?[][] { ["field", "text"], ["purpose", "集計"], ["favourite", "x"] }); // no contact either
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(
            Book(Settings, Choices, ("survey", [["type", "code", "kind", "prompt", "title"], ["section", "A", null, null, "基本"], ["question", "Q1", "text", "ご意見"]]), bad)), "p.xlsx"));
        var lines = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("privacy!A3: field には", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("privacy!", StringComparison.Ordinal) && l.Contains("contact", StringComparison.Ordinal));
    }

    [Fact]
    public void AMissingSheet_IsNamed_AndNotRepeatedByTheLoader()
    {
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(Book(Settings, Choices)), "b.xlsx"));
        Assert.Equal("survey: シート「survey」がありません（見出し: type, code, kind, prompt, label, note, title, short, required, showIf, "
                     + "scale, choices, parts, total, personal, role, input, maxLength, pageBreak, sameAs）。", e.Problems.Single().ToString());
    }

    [Fact]
    public void WorkbookProblems_BadCellTypeAndBadShowIf_AreNamedBySheetAndCell()
    {
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(Book(Settings, Choices, ("survey",
        [
            ["type", "code", "kind", "prompt", "required", "showIf"],
            ["section", "A"],
            ["question", "Q1", "text", "質問1", "はい", "Q0"],
            ["question", "date:45337", "text", "質問2"], // 2-15 typed into a General cell: Excel makes it 15 February
        ]))), "b.xlsx"));
        var lines = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("survey!E3: required は TRUE か FALSE", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!F3: showIf「Q0」は「設問番号 = 選択肢番号」の形で", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!B4: code が日付（2024-02-15）になっています。", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("survey!B2: ", StringComparison.Ordinal) && l.Contains("title がありません", StringComparison.Ordinal));
    }

    [Fact]
    public void NotAWorkbook_IsRefusedWithAMessage()
    {
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream("id: x\n"u8.ToArray()), "x.xlsx"));
        Assert.Equal("x.xlsx: Excel のワークブック（.xlsx）として読めません。Excel で「Excel ブック (*.xlsx)」として保存してください。", e.Problems.Single().ToString());
    }

    [Fact]
    public void AnOversizedFile_IsRefusedBeforeItIsUnpacked()
    {
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(new byte[SurveyWorkbook.MaxFileBytes + 1]), "big.xlsx"));
        Assert.Contains("ファイルが大きすぎます", e.Message);
    }

    [Fact]
    public void AZipBomb_IsRefusedQuickly()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Optimal).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++) s.Write(zeros);
        }
        Assert.True(ms.Length < SurveyWorkbook.MaxFileBytes / 10, "small on disk");
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(ms.ToArray()), "bomb.xlsx"));
        Assert.Contains("bomb.xlsx: ワークブックを展開すると大きすぎます（上限は 20,971,520 バイト）。調査票の定義だけを保存したファイルにしてください。", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"refused in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void AWorkbookOfTooManyParts_IsRefusedWithTheFileAndTheLimit()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            for (var i = 0; i <= SurveyWorkbook.MaxEntries; i++) zip.CreateEntry($"xl/part{i}.xml");
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(ms.ToArray()), "parts.xlsx"));
        Assert.Contains("parts.xlsx: ワークブックの部品が多すぎます（201 個。上限は 200 個）。", e.Message);
    }

    [Fact]
    public void AZipBombThatUnderstatesItsSize_IsRefusedQuickly()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Optimal).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++) s.Write(zeros);
        }
        var bytes = ms.ToArray();
        // Both headers claim 1,000 bytes unpacked: the local header (size at offset 22) and the central directory's (offset 24).
        Assert.Equal("PK\u0003\u0004", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        BitConverter.TryWriteBytes(bytes.AsSpan(22, 4), 1000u);
        var central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BitConverter.TryWriteBytes(bytes.AsSpan(central + 24, 4), 1000u);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(bytes), "liar.xlsx"));
        Assert.Matches("展開すると大きすぎます|として読めません", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"refused in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void TooManyRows_AreRefused()
    {
        var rows = new List<string?[]> { new[] { "type", "code", "kind", "prompt" }, new[] { "section", "A" } };
        for (var i = 0; i < SurveyWorkbook.MaxRows; i++) rows.Add(["question", $"Q{i}", "text", "質問"]);
        var e = Assert.Throws<SurveyWorkbookException>(() => SurveyWorkbook.Read(new MemoryStream(Book(Settings, Choices, ("survey", rows.ToArray()))), "rows.xlsx"));
        Assert.Contains("survey: 行が多すぎます（上限は 5,000 行）。", e.Message);
    }

    [Fact]
    public async Task SurveyCheckAndExport_ThroughTheCli_AcceptAWorkbook()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-xlsx-").FullName;
        try
        {
            var xlsx = Path.Combine(dir, "sc3.xlsx");
            var export = await CliTests.Run("survey", "export", ReportFixtures.SurveyDir, "--format", "xlsx", "--out", xlsx);
            Assert.True(export.Code == 0, export.Err);
            var check = await CliTests.Run("survey", "check", xlsx);
            Assert.True(check.Code == 0, check.Err);
            Assert.Contains("sc3-2023: 業界セキュリティガイドラインに関するアンケート", check.Out);
            Assert.Contains("4 セクション、28 設問、63 項目、67 列、スキップ条件 12 件", check.Out);

            var yaml = Path.Combine(dir, "survey.yaml");
            Assert.Equal(0, (await CliTests.Run("survey", "export", xlsx, "--format", "yaml", "--out", yaml)).Code);
            Assert.Equal(Dump(ReportFixtures.Survey()), Dump(SurveyLoader.LoadFile(yaml)));

            var broken = Path.Combine(dir, "broken.xlsx");
            await File.WriteAllBytesAsync(broken, BrokenBook());
            var bad = await CliTests.Run("survey", "check", broken);
            Assert.Equal(2, bad.Code);
            Assert.Contains("survey!C4: 設問 Q2 の kind「checkbox」は使えません", bad.Err);
            Assert.Contains("survey!H7: 設問 Q5: maxLength", bad.Err);
            Assert.Contains("調査票の定義を直してから", bad.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
