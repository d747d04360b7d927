using Shirabe.Core.Questionnaire;

namespace Shirabe.Surveys;

/// <summary>A survey definition given on the command line: a folder holding survey.yaml, a .yaml file or an .xlsx workbook.</summary>
public static class SurveyFiles
{
    public static bool IsWorkbook(string path) =>
        !Directory.Exists(path) && path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);

    /// <summary>The survey at <paramref name="path"/> and its YAML text (a workbook's converted text).</summary>
    public static (Survey Survey, string Yaml) Load(string path)
    {
        if (IsWorkbook(path))
        {
            if (!File.Exists(path)) throw new SurveyDefinitionException([new(path, 0, 0, "ファイルがありません。")]);
            return SurveyWorkbook.ReadFile(path);
        }
        var survey = SurveyLoader.LoadFile(path);
        // Read after a successful load, which checked the file's size.
        return (survey, File.ReadAllText(Directory.Exists(path) ? Path.Combine(path, SurveyLoader.FileName) : path));
    }
}
