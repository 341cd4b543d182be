using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Tests.Text;

public class TokenizationCleanupTests
{
    [Theory]
    [InlineData("es regnet .", "es regnet.")]
    [InlineData("wie ? gut ! ja , nein", "wie? gut! ja, nein")]
    [InlineData("it ' s", "it's")]
    [InlineData("is n't we 're I 'm he 's we 've", "isn't we're I'm he's we've")]
    [InlineData("am montag", "am montag")]
    public void Apply_TransformersRules_RemovesSpaceBeforePunctuation(string input, string expected)
    {
        Assert.Equal(expected, TokenizationCleanup.Apply(input));
    }
}
