using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Shirabe.Respond;

/// <summary>
/// HTML made once and filled in many times (docs/decisions/067): the text that is the same for every respondent
/// (question texts, options, notes, conditions) is HTML-encoded once, when the template is built, and kept as UTF-8
/// bytes; a render copies those bytes and writes only the holes (answers, messages, the form token), encoding what
/// they write. Nothing is encoded twice, and every text still passes the encoder once.
/// </summary>
public sealed class HtmlTemplate<T>
{
    private readonly Node[] _nodes;

    internal HtmlTemplate(Node[] nodes) => _nodes = nodes;

    /// <summary>The bytes kept (the template's share of the page cache).</summary>
    public long Size => _nodes.Sum(n => (long)(n.Bytes?.Length ?? 0) + (n.Body?.Size ?? 0));

    public void Render(T state, HtmlOutput output)
    {
        foreach (var node in _nodes)
        {
            if (node.Bytes is { } bytes) output.Utf8(bytes);
            else if (node.Hole is { } hole) hole(state, output);
            else if (node.When!(state)) node.Body!.Render(state, output);
        }
    }

    /// <summary>The template rendered as a string (for a Razor page that shows a part of it).</summary>
    public string RenderToString(T state) => HtmlOutput.ToHtml(o => Render(state, o));

    internal sealed record Node(byte[]? Bytes, Action<T, HtmlOutput>? Hole, Func<T, bool>? When, HtmlTemplate<T>? Body);
}

/// <summary>Builds an <see cref="HtmlTemplate{T}"/>: markup and survey text now, holes filled in per render.</summary>
public sealed class HtmlTemplateBuilder<T>
{
    private readonly List<HtmlTemplate<T>.Node> _nodes = [];
    private readonly StringBuilder _pending = new();

    /// <summary>Markup written by the code (tags, attribute names, literal Japanese of the page): not encoded.</summary>
    public HtmlTemplateBuilder<T> Markup(string html)
    {
        _pending.Append(html);
        return this;
    }

    /// <summary>Text (a survey's wording, an id made from a code): HTML-encoded here, once.</summary>
    public HtmlTemplateBuilder<T> Text(string? text)
    {
        _pending.Append(HtmlOutput.Encoder.Encode(text ?? ""));
        return this;
    }

    /// <summary>An attribute with a value, or nothing when the value is null (as Razor writes <c>name="@null"</c>).</summary>
    public HtmlTemplateBuilder<T> Attribute(string name, string? value) =>
        value is null ? this : Markup(" " + name + "=\"").Text(value).Markup("\"");

    /// <summary>What a render writes itself: it must encode any text it writes (<see cref="HtmlOutput.Text"/>).</summary>
    public HtmlTemplateBuilder<T> Hole(Action<T, HtmlOutput> write)
    {
        Flush();
        _nodes.Add(new(null, write, null, null));
        return this;
    }

    /// <summary>A part written only when <paramref name="test"/> holds for the render's state.</summary>
    public HtmlTemplateBuilder<T> When(Func<T, bool> test, Action<HtmlTemplateBuilder<T>> body)
    {
        var inner = new HtmlTemplateBuilder<T>();
        body(inner);
        Flush();
        _nodes.Add(new(null, null, test, inner.Build()));
        return this;
    }

    public HtmlTemplate<T> Build()
    {
        Flush();
        return new HtmlTemplate<T>([.. _nodes]);
    }

    private void Flush()
    {
        if (_pending.Length == 0) return;
        _nodes.Add(new(Encoding.UTF8.GetBytes(_pending.ToString()), null, null, null));
        _pending.Clear();
    }
}

/// <summary>Where a template renders to: UTF-8 bytes, with the same encoder the Razor pages use.</summary>
public sealed class HtmlOutput(IBufferWriter<byte> writer)
{
    /// <summary>As configured for Razor (ShirabeApp): Japanese stays readable; &lt;, &gt;, &amp;, quotes and anything unsafe are encoded.</summary>
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(new TextEncoderSettings(UnicodeRanges.All));

    /// <summary>What <paramref name="write"/> writes, as a string (for a Razor page).</summary>
    public static string ToHtml(Action<HtmlOutput> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        write(new HtmlOutput(buffer));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public void Utf8(ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    /// <summary>Markup the code wrote (no user or survey text in it).</summary>
    public void Markup(string html) => Write(html);

    /// <summary>Text, HTML-encoded.</summary>
    public void Text(string? text)
    {
        if (string.IsNullOrEmpty(text)) return;
        Write(Encoder.Encode(text));
    }

    private void Write(string s)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        writer.Advance(Encoding.UTF8.GetBytes(s, span));
    }
}
