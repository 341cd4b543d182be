using System.CommandLine;
using System.CommandLine.Parsing;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Cli.Commands;

/// The options of `train` (and `worker`) generated from the run spec's field table: the phase argument, one flag
/// per field (an on/off field is a flag without a value: `--augment`, or `--augment false`), and --spec FILE to start
/// from a spec file (flags override its fields).
public sealed class TrainSpecOptions
{
    public const string SpecOption = "--spec";

    private readonly Argument<string?> _phase;
    private readonly Option<string?> _spec;
    private readonly List<(SpecField Field, Option Option)> _fields = [];

    public TrainSpecOptions()
    {
        var phaseField = RunSpecFields.All.Single(f => f.IsArgument);
        _phase = new Argument<string?>(phaseField.Name)
        {
            Description = $"{phaseField.Help} Default: {phaseField.Format(phaseField.Default)}, or the spec's.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        _spec = new Option<string?>(SpecOption) { Description = "A run spec (JSON with the snake_case settings, as --print-spec writes it); flags override its fields.", HelpName = "FILE" };
        foreach (var field in RunSpecFields.All.Where(f => !f.IsArgument))
        {
            _fields.Add((field, field.IsSwitch
                ? new Option<bool>(field.Flag) { Description = field.Description }
                : new Option<string?>(field.Flag)
                {
                    Description = field.Description,
                    HelpName = field.Choices is { } choices ? string.Join("|", choices) : field.HelpName ?? (field.IsNumber ? "N" : "TEXT"),
                }));
        }
    }

    /// Adds the argument and the options to <paramref name="command"/>.
    public void AddTo(Command command)
    {
        command.Arguments.Add(_phase);
        command.Options.Add(_spec);
        foreach (var (_, option) in _fields)
            command.Options.Add(option);
    }

    /// The spec the command line describes: the defaults, then the --spec file, then the phase argument and every
    /// flag given. The problems are those of reading (a file, a value that is not a number); not yet validated.
    /// Reads by name, so it serves any command these options were added to.
    public (RunSpec Spec, SpecProblems Problems) Read(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var (spec, problems) = parseResult.GetValue<string?>(SpecOption) is string file ? RunSpecJson.ReadFile(file) : (new RunSpec(), SpecProblems.None);
        var builder = new SpecProblems.Builder();
        if (parseResult.GetValue<string?>(_phase.Name) is string phase)
            Override(spec, RunSpecFields.All.Single(f => f.IsArgument), phase, builder);
        foreach (var (field, option) in _fields)
        {
            if (parseResult.GetResult(option.Name) is not OptionResult { Implicit: false })
                continue;   // not on the command line (a bool option has an implicit result)
            string? text = field.IsSwitch ? field.Format(parseResult.GetValue<bool>(option.Name)) : parseResult.GetValue<string?>(option.Name);
            Override(spec, field, text, builder);
        }
        return (spec, problems.Merge(builder.Build()));
    }

    /// The flags that give <paramref name="spec"/> from the defaults: the phase argument first, then every field that
    /// differs from its default (an empty value for a null that has a default).
    public static IReadOnlyList<string> ToArguments(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var phase = RunSpecFields.All.Single(f => f.IsArgument);
        var args = new List<string> { phase.Format(phase.Get(spec)) };
        foreach (var field in RunSpecFields.All.Where(f => !f.IsArgument))
        {
            object? value = field.Get(spec);
            if (!Equals(value, field.Default))
                args.AddRange([field.Flag, field.Format(value)]);
        }
        return args;
    }

    private static void Override(RunSpec spec, SpecField field, string? text, SpecProblems.Builder problems)
    {
        if (field.TryParse(text, out object? value, out string? error))
            field.Set(spec, value);
        else
            problems.Add(field.Name, error);
    }
}
