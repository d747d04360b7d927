using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

/// <summary>The project's own copies of the SC3 2023 questionnaire and reconstructed responses.</summary>
public static class Fixtures
{
    public static readonly string SurveyDir = Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2023");
    public static readonly string ResponsesPath = Path.Combine(SurveyDir, "responses-2023.csv");

    private static readonly Lazy<Survey> LazySurvey = new(() => SurveyLoader.LoadFile(SurveyDir));
    public static Survey Sc3 => LazySurvey.Value;

    public static List<Response> Sc3Responses()
    {
        using var stream = File.OpenRead(ResponsesPath);
        return ResponsesCsv.Read(stream, Sc3).ToList();
    }
}
