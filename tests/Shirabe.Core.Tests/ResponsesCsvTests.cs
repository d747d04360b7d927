using System.Text;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

public class ResponsesCsvTests
{
    [Fact]
    public void ReconstructedResponses_RoundTripByteForByte()
    {
        var original = File.ReadAllBytes(Fixtures.ResponsesPath);
        var responses = Fixtures.Sc3Responses();
        Assert.Equal(48, responses.Count);
        using var output = new MemoryStream();
        ResponsesCsv.Write(output, Fixtures.Sc3, responses);
        Assert.Equal(Encoding.UTF8.GetString(original), Encoding.UTF8.GetString(output.ToArray()));
    }
}
