namespace Shirabe.Core.Tabulation;

/// <summary>Percentages as the report prints them: from exact integers, rounded half up to one decimal (小数第2位を四捨五入).</summary>
public static class Percent
{
    /// <summary>100 × count / n rounded half up to 0.1; 0 when n is 0.</summary>
    public static decimal Of(long count, long n)
    {
        if (n <= 0) return 0m;
        // tenths = floor(1000·count/n + 1/2), computed in integers: no binary floating point anywhere.
        var tenths = (2000 * count + n) / (2 * n);
        return tenths / 10m;
    }
}
