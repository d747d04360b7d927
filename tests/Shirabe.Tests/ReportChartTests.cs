using System.Text.RegularExpressions;
using Shirabe.Core.Reports;
using Shirabe.Reports;

namespace Shirabe.Tests;

public class ReportChartTests
{
    [Fact]
    public void KangxiRadicals_BecomeTheUnifiedIdeographs_OtherTextIsUntouched()
    {
        // ⼀ U+2F00, ⼿ U+2F3F, ⾦ U+2FA6 as Skia writes them; fullwidth brackets and ％ must stay as they are.
        Assert.Equal("一部実施（手順・金融 ５％）", Charts.FixRadicals("\u2F00部実施（\u2F3F順・\u2FA6融 ５％）"));
    }

    [Fact]
    public void Svg_HasScalableViewBox_PrefixedIds_AndTheLabelsAsText()
    {
        var chart = new Chart(ChartKind.Stacked, "t", ["一部の会員への提供", "その他（n=45）"],
        [
            new ChartSeries("未実施", [50m, 57.8m], ["50.0%", "57.8%"]),
            new ChartSeries("一部実施", [25m, 2.2m], ["25.0%", ""]),
            new ChartSeries("実施済み", [25m, 0m], ["25.0%", ""]),
            new ChartSeries("無回答", [0m, 40m], ["", "40.0%"]),
        ], "n は項目ごと");
        var svg = Charts.Svg(chart, "f9-");
        Assert.StartsWith("<svg", svg);
        Assert.Contains($"viewBox=\"0 0 {Charts.Width} {Charts.Height(chart)}\"", svg);
        Assert.DoesNotMatch("[\u2E80-\u2FD5]", svg);
        Assert.Contains("未実施", svg);
        Assert.Contains("57.8%", svg);
        Assert.DoesNotMatch("id=\"(?!f9-)", svg);
    }

    [Fact]
    public void StackedLegend_HasAHatchedKeyFor無回答_InTheSvgAndThePng()
    {
        // 無回答 is white with grey hatching: its key must show the hatching too (the report's SVG, the console's PNGs).
        var chart = new Chart(ChartKind.Stacked, "t", ["一部の会員への提供", "その他"],
        [
            new("未実施", [50m, 60m], ["50.0%", "60.0%"]),
            new("実施済み", [40m, 0m], ["40.0%", ""]),
            new("無回答", [10m, 40m], ["10.0%", "40.0%"]),
        ], "n=48");
        var svg = Charts.Svg(chart, "f1-");
        Assert.Contains("<pattern id=\"f1-hatch\"", svg);
        // The legend lists its keys after the plot: the last key drawn with the pattern is 無回答's, after its label.
        var label = svg.LastIndexOf("無回答", StringComparison.Ordinal);
        var key = Regex.Match(svg[label..], @"<rect fill=""url\(#f1-hatch\)"" x=""([\d.]+)"" y=""([\d.]+)"" width=""([\d.]+)"" height=""([\d.]+)""");
        Assert.True(key.Success, "the 無回答 key is not hatched in the SVG");
        Assert.Equal(3, Regex.Matches(svg, "url\\(#f1-hatch\\)").Count); // two bar segments and the key

        // The PNG is the same picture at twice the size: inside the key's box, the hatching's grey.
        var box = Enumerable.Range(1, 4).Select(i => double.Parse(key.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture) * 2).ToArray();
        using var bitmap = SkiaSharp.SKBitmap.Decode(Charts.Png(chart));
        int grey = 0, all = 0;
        for (var y = (int)box[1] + 3; y < (int)(box[1] + box[3]) - 3; y++)
            for (var x = (int)box[0] + 3; x < (int)(box[0] + box[2]) - 3; x++)
            {
                all++;
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 200 && Math.Abs(c.Red - c.Green) < 10 && Math.Abs(c.Green - c.Blue) < 10) grey++;
            }
        Assert.True(all > 100 && grey > all / 5, $"{grey} of {all} pixels of the 無回答 key are grey");
    }

    [Fact]
    public void Png_IsAPicture()
    {
        var chart = new Chart(ChartKind.Bar, "t", ["10社～50社未満", "無回答"], [new ChartSeries("件数", [12m, 1m], ["12（25.0%）", "1（2.1%）"])], "n=48");
        var png = Charts.Png(chart);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 5000);
    }
}
