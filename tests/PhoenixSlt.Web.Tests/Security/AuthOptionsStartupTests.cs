using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Security;

/// Auth settings that cannot be applied stop the portal at start with the setting and the rule, never the secret.
public sealed class AuthOptionsStartupTests
{
    [Theory]
    [InlineData("Phoenix:Auth:AdminApiKey", "short-key-0123456789", "Phoenix:Auth:AdminApiKey is not usable (20 characters configured): An API key has 32–512 characters without spaces.")]
    [InlineData("Phoenix:Auth:AdminApiKey", "a key with spaces that is long enough to pass", "Phoenix:Auth:AdminApiKey is not usable (45 characters configured): An API key has 32–512 characters without spaces.")]
    [InlineData("Phoenix:Auth:AdminPassword", "short", "Phoenix:Auth:AdminPassword is not usable (5 characters configured): A password has at least 10 characters.")]
    public void Start_UnusableSecret_FailsNamingTheSettingWithoutTheSecret(string setting, string value, string expected)
    {
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
            [setting] = value,
        });

        var error = Record.Exception(() => factory.StartKestrel());

        Assert.NotNull(error);
        string messages = string.Join(" | ", Chain(error));
        Assert.Contains(expected, messages, StringComparison.Ordinal);
        Assert.DoesNotContain(value, messages, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UsableOrEmptySecrets_Succeeds()
    {
        var validator = new AuthOptionsValidator();

        Assert.True(validator.Validate(null, new AuthOptions { AdminApiKey = new string('k', UserNameRules.MinApiKeyLength), AdminPassword = "ten chars!" }).Succeeded);
        Assert.True(validator.Validate(null, new AuthOptions { AdminApiKey = "", AdminPassword = null }).Succeeded);
        Assert.False(validator.Validate(null, new AuthOptions { AdminApiKey = new string('k', UserNameRules.MinApiKeyLength - 1) }).Succeeded);
    }

    private static IEnumerable<string> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    yield return inner.Message;
        }
    }
}
