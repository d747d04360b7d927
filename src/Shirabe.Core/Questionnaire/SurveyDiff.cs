namespace Shirabe.Core.Questionnaire;

/// <summary>What kind of change a <see cref="SurveyChange"/> is; the order is the order they are listed in.</summary>
public enum ChangeCategory { Added, Removed, Renumbered, Reworded, Options, Structure }

/// <summary>
/// One change between two definitions, said in Japanese. <see cref="Wording"/>: only wording changed (allowed in a wave
/// that has answers). <see cref="BreaksComparison"/>: the item's results cannot be set beside the previous wave's.
/// </summary>
public sealed record SurveyChange(ChangeCategory Category, string Text, bool Wording, bool BreaksComparison)
{
    public override string ToString() => Text;
}

/// <summary>
/// A question's own wording (prompt, note, title) compared, matched through its items: the old question of a new one is
/// the question of the old item its first matched item corresponds to, else the question with the same code.
/// </summary>
public sealed record QuestionDiff(Question? Old, Question New, IReadOnlyList<SurveyChange> Changes);

/// <summary>
/// One item across two definitions: <see cref="Old"/> null when added, <see cref="New"/> null when removed.
/// <see cref="OptionMap"/> maps each new option code to the old code it corresponds to (matched options only).
/// </summary>
public sealed record ItemDiff(Item? Old, Item? New, IReadOnlyList<SurveyChange> Changes, IReadOnlyDictionary<int, int> OptionMap)
{
    public string Code => New?.Code ?? Old!.Code;

    /// <summary>Whether this item's results can be set beside the previous wave's.</summary>
    public bool Comparable => Old is not null && New is not null && !Changes.Any(c => c.BreaksComparison);

    /// <summary>Why the item is not comparable (Japanese), or null when it is.</summary>
    public string? NotComparableReason =>
        Old is null ? "前回の調査にない設問です。"
        : New is null ? "今回の調査にない設問です。"
        : Comparable ? null
        : string.Join("、", Changes.Where(c => c.BreaksComparison).Select(c => c.Text)) + "。";
}

/// <summary>
/// The difference between two survey definitions (a previous wave and the next, or two versions of one wave): items
/// matched by code or by a declared `sameAs`, each with its changes and a verdict on comparability. Pure: reads only
/// the two loaded surveys.
/// </summary>
public sealed record SurveyDiff(Survey Old, Survey New, IReadOnlyList<ItemDiff> Items, IReadOnlyList<QuestionDiff> Questions)
{
    /// <summary>Every change: the questions' wording, then the items' changes in new questionnaire order, removed items last.</summary>
    public IEnumerable<SurveyChange> Changes =>
        Questions.SelectMany(q => q.Changes).Concat(Items.SelectMany(i => i.Changes));

    public bool IsEmpty => !Changes.Any();

    /// <summary>The item diff of a new item code, or null when the code is not in the new definition.</summary>
    public ItemDiff? ForNew(string code) => Items.FirstOrDefault(i => i.New?.Code == code);

    /// <summary>
    /// Compares two definitions. With the same survey id they are two versions of one wave: its `sameAs` entries name
    /// the wave before and are ignored, items and options then match by code only.
    /// </summary>
    public static SurveyDiff Compare(Survey old, Survey @new)
    {
        var declared = old.Id != @new.Id;
        // A declared sameAs claims its old code; the rest match by their own code when no one else claimed it.
        var claimed = declared ? @new.Items.Where(i => i.SameAs is not null).Select(i => i.SameAs!).ToHashSet(StringComparer.Ordinal) : [];
        var matched = new Dictionary<Item, Item>();   // new → old
        foreach (var item in @new.Items)
        {
            var oldCode = (declared ? item.SameAs : null) ?? (claimed.Contains(item.Code) ? null : item.Code);
            if (oldCode is not null && old.TryGetItem(oldCode, out var was)) matched[item] = was;
        }
        var newOf = matched.ToDictionary(p => p.Value, p => p.Key);
        var optionMaps = matched.ToDictionary(p => p.Key, p => MatchOptions(p.Value, p.Key, declared));

        var items = new List<ItemDiff>();
        foreach (var item in @new.Items)
        {
            if (!matched.TryGetValue(item, out var was))
            {
                items.Add(new(null, item, [new(ChangeCategory.Added, $"設問 {item.Code}「{item.Label}」を追加"
                    + (declared && item.SameAs is { } s ? $"（sameAs: {s} は前回の調査にありません）" : ""), false, true)], new Dictionary<int, int>()));
                continue;
            }
            items.Add(new(was, item, CompareItem(was, item, optionMaps[item], newOf, optionMaps), optionMaps[item]));
        }
        foreach (var was in old.Items.Where(i => !newOf.ContainsKey(i)))
            items.Add(new(was, null, [new(ChangeCategory.Removed, $"設問 {was.Code}「{was.Label}」を削除", false, true)], new Dictionary<int, int>()));

        var questions = new List<QuestionDiff>();
        var oldQuestions = old.Questions.ToDictionary(q => q.Code, StringComparer.Ordinal);
        foreach (var q in @new.Questions)
        {
            var first = q.Items.FirstOrDefault(matched.ContainsKey);
            var oldCode = first is not null ? matched[first].QuestionCode : q.Code;
            if (!oldQuestions.TryGetValue(oldCode, out var wasQ)) continue;
            var changes = new List<SurveyChange>();
            // A one-item question's prompt is its item's label: reported once, on the item.
            if (q.Items is not [var only] || only.Code != q.Code) Reworded(changes, $"設問 {q.Code} の設問文", wasQ.Prompt, q.Prompt);
            Reworded(changes, $"設問 {q.Code} の注記", wasQ.Note, q.Note);
            Reworded(changes, $"設問 {q.Code} の見出し（title）", wasQ.Title, q.Title);
            if (changes.Count > 0) questions.Add(new(wasQ, q, changes));
        }
        return new SurveyDiff(old, @new, items, questions);
    }

    /// <summary>
    /// The check before changing a wave that has answers: only wording may change. Null when the change is allowed,
    /// else a Japanese message listing every other change.
    /// </summary>
    public string? FrozenChangesMessage()
    {
        var refused = Changes.Where(c => !c.Wording).ToList();
        if (refused.Count == 0) return null;
        return $"回答のある調査「{New.Id}」では、文言（設問文・ラベル・注記・略称）以外は変更できません。"
               + $"次の {refused.Count} 件の変更を取り消してください（新しい調査・次回の調査として作れば変更できます）:\n"
               + string.Join("\n", refused.Select(c => "- " + c.Text));
    }

    /// <summary>Throws a <see cref="UserError"/> with <see cref="FrozenChangesMessage"/> unless only wording changed.</summary>
    public void EnsureWordingOnly()
    {
        if (FrozenChangesMessage() is { } message) throw new UserError(message);
    }

    /// <summary>New option code → old option code: a declared sameAs, else the same code when not claimed.</summary>
    private static Dictionary<int, int> MatchOptions(Item old, Item @new, bool declared)
    {
        var claimed = declared ? @new.Options.Where(o => o.SameAs is not null).Select(o => o.SameAs!.Value).ToHashSet() : [];
        var map = new Dictionary<int, int>();
        foreach (var o in @new.Options)
        {
            var oldCode = (declared ? o.SameAs : null) ?? (claimed.Contains(o.Code) ? (int?)null : o.Code);
            if (oldCode is { } c && old.FindOption(c) is not null) map[o.Code] = c;
        }
        return map;
    }

    private static List<SurveyChange> CompareItem(Item old, Item @new, Dictionary<int, int> options,
        Dictionary<Item, Item> newOf, Dictionary<Item, Dictionary<int, int>> optionMaps)
    {
        var code = @new.Code;
        var changes = new List<SurveyChange>();
        if (old.Code != code)
            changes.Add(new(ChangeCategory.Renumbered, $"設問番号 {old.Code} → {code}（sameAs）", false, false));
        Reworded(changes, $"設問 {code} のラベル", old.Label, @new.Label);
        Reworded(changes, $"設問 {code} の略称（short）", old.Short, @new.Short);

        var isMatrix = @new.Kind == ItemKind.Matrix;
        var what = isMatrix ? "尺度の選択肢" : "選択肢";
        var oldOf = options.ToDictionary(p => p.Value, p => p.Key);
        foreach (var o in old.Options.Where(o => !oldOf.ContainsKey(o.Code)))
            changes.Add(new(ChangeCategory.Options, $"設問 {code}: {what} {o.Code}「{o.Label}」を削除", false, true));
        foreach (var o in @new.Options)
        {
            if (!options.TryGetValue(o.Code, out var wasCode))
            {
                changes.Add(new(ChangeCategory.Options, $"設問 {code}: {what} {o.Code}「{o.Label}」を追加", false, true));
                continue;
            }
            var was = old.FindOption(wasCode)!;
            if (wasCode != o.Code)
                changes.Add(new(ChangeCategory.Options, $"設問 {code}: {what}「{o.Label}」の番号 {wasCode} → {o.Code}（sameAs）", false, false));
            if (was.Label != o.Label)
                changes.Add(new(ChangeCategory.Options, $"設問 {code}: {what} {o.Code} のラベル「{was.Label}」→「{o.Label}」", true, false));
            if (was.Short != o.Short)
                changes.Add(new(ChangeCategory.Options, $"設問 {code}: {what} {o.Code} の略称「{was.Short ?? "なし"}」→「{o.Short ?? "なし"}」", true, false));
            if (was.Exclusive != o.Exclusive)
                changes.Add(new(ChangeCategory.Structure,
                    $"設問 {code}: 選択肢 {o.Code} の排他（他と一緒に選べない）{OnOff(was.Exclusive)} → {OnOff(o.Exclusive)}", false, true));
        }

        if (old.Kind != @new.Kind)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 回答形式 {Kind(old.Kind)} → {Kind(@new.Kind)}", false, true));
        var oldParts = old.Parts.ToDictionary(p => p.Code);
        foreach (var p in old.Parts.Where(p => @new.Parts.All(n => n.Code != p.Code)))
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 内訳 {p.Code}「{p.Label}」を削除", false, true));
        foreach (var p in @new.Parts)
        {
            if (!oldParts.TryGetValue(p.Code, out var was))
                changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 内訳 {p.Code}「{p.Label}」を追加", false, true));
            else Reworded(changes, $"設問 {code} の内訳 {p.Code}", was.Label, p.Label);
        }
        if (@new.Kind == ItemKind.Split && old.Kind == ItemKind.Split && old.Total != @new.Total)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 合計 {old.Total:0.##} → {@new.Total:0.##}", false, true));

        var oldRule = Rule(old.ShowIf, i => newOf.TryGetValue(i, out var n) ? n : null, optionMaps, mapOld: true);
        var newRule = Rule(@new.ShowIf, i => i, optionMaps, mapOld: false);
        if (oldRule != newRule)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 表示条件（showIf）{oldRule ?? "なし"} → {newRule ?? "なし"}", false, true));

        // Validity and tabulation settings: frozen in a wave with answers, but the results stay comparable.
        if (old.Required != @new.Required)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 必須 {OnOff(old.Required)} → {OnOff(@new.Required)}", false, false));
        if (old.Kind == ItemKind.Text && @new.Kind == ItemKind.Text && old.MaxLength != @new.MaxLength)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 最大文字数 {old.MaxLength} → {@new.MaxLength}", false, false));
        if (old.Personal != @new.Personal)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: 個人情報（personal）{OnOff(old.Personal)} → {OnOff(@new.Personal)}", false, false));
        if (old.Role != @new.Role)
            changes.Add(new(ChangeCategory.Structure, $"設問 {code}: role {old.Role} → {@new.Role}", false, false));
        return changes;
    }

    /// <summary>
    /// A skip rule in the new definition's codes, so that a renumbered item or option is not a change. An old rule
    /// naming an item or option the new definition lacks keeps the old code, marked 前回.
    /// </summary>
    private static string? Rule(Condition? rule, Func<Item, Item?> toNew, Dictionary<Item, Dictionary<int, int>> optionMaps, bool mapOld)
    {
        if (rule is null) return null;
        var parts = rule.Items.Select(i =>
        {
            var n = toNew(i);
            if (n is null) return (Code: $"前回の {i.Code}", Codes: string.Join("・", rule.AnyOf));
            var map = mapOld ? optionMaps[n].ToDictionary(p => p.Value, p => p.Key) : null;
            var codes = rule.AnyOf.Select(c => map is null ? c.ToString() : map.TryGetValue(c, out var nc) ? nc.ToString() : $"前回の {c}");
            return (Code: n.Code, Codes: string.Join("・", codes.Order(StringComparer.Ordinal)));
        });
        // Items choosing the same codes are written together: 「2-11-a・2-11-b で 2・3」.
        return string.Join(" または ", parts.GroupBy(p => p.Codes).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Join("・", g.Select(p => p.Code).Order(StringComparer.Ordinal)) + " で " + g.Key)) + " のいずれか";
    }

    private static void Reworded(List<SurveyChange> changes, string what, string? old, string? @new)
    {
        if (old == @new) return;
        changes.Add(new(ChangeCategory.Reworded, $"{what}「{old ?? "なし"}」→「{@new ?? "なし"}」", true, false));
    }

    private static string OnOff(bool value) => value ? "あり" : "なし";

    private static string Kind(ItemKind kind) => kind switch
    {
        ItemKind.Text => "自由記述（text）",
        ItemKind.Single => "単数回答（single）",
        ItemKind.Multiple => "複数回答（multiple）",
        ItemKind.Matrix => "マトリクス（matrix）",
        _ => "割合（split）",
    };
}
