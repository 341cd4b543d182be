using PhoenixSlt.Cli;

namespace PhoenixSlt.Cli.Tests;

public class CliAppTests
{
    [Fact]
    public void CreateRoot_HasEveryDocumentedVerb()
    {
        var names = CliApp.CreateRoot().Subcommands.Select(c => c.Name).ToHashSet();

        // The verbs README.md documents.
        foreach (string verb in new[] { "synth", "data", "score", "tokenize", "mbart", "train", "evaluate", "translate" })
            Assert.Contains(verb, names);
    }

    [Fact]
    public void CreateRoot_MBart_HasGenerateAndTrim()
    {
        var mbart = CliApp.CreateRoot().Subcommands.Single(c => c.Name == "mbart");

        Assert.Equal(["generate", "trim"], mbart.Subcommands.Select(c => c.Name).Order().ToArray());
    }

    [Fact]
    public void InvocationConfiguration_LetsCtrlCReachTheActions()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), CliApp.InvocationConfiguration().ProcessTerminationTimeout);
    }
}
