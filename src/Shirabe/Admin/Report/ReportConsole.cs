using Shirabe.Core.Reports;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>Helpers shared by the report console pages.</summary>
public static class ReportConsole
{
    public static string ActionLabel(string action) => action switch
    {
        "narrative.edit" => "本文を編集",
        "narrative.revert" => "本文を下書きに戻す",
        "answers.select" => "主な回答を選定",
        "answer.edit" => "回答を編集",
        "answer.revert" => "回答の編集を取り消し",
        _ => action,
    };

    /// <summary>The report part with <paramref name="key"/> whose table is of <paramref name="kind"/>, if any.</summary>
    public static ReportPart? Part(ReportDefinition definition, string key, TableKind? kind = null) =>
        definition.Parts.FirstOrDefault(p => p.Key == key && p.Table is not null && (kind is null || p.Table.Kind == kind));
}
