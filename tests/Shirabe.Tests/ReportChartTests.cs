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
    public void Png_IsAPicture()
    {
        var chart = new Chart(ChartKind.Bar, "t", ["10社～50社未満", "無回答"], [new ChartSeries("件数", [12m, 1m], ["12（25.0%）", "1（2.1%）"])], "n=48");
        var png = Charts.Png(chart);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 5000);
    }
}
