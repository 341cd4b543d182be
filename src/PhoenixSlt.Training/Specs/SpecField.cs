using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace PhoenixSlt.Training.Specs;

/// One setting of <see cref="RunSpec"/>: its names, help, default and limits, and how to read, write, parse, format
/// and check its value. Built from the property and its <see cref="SpecFieldAttribute"/> by <see cref="RunSpecFields"/>.
public sealed class SpecField
{
    private readonly PropertyInfo _property;
    private readonly SpecFieldAttribute _attribute;

    internal SpecField(PropertyInfo property, SpecFieldAttribute attribute, object? defaultValue)
    {
        _property = property;
        _attribute = attribute;
        Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
        Flag = "--" + Name.Replace('_', '-');
        ValueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        IsOptional = Nullable.GetUnderlyingType(property.PropertyType) is not null
                     || (!property.PropertyType.IsValueType && new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable);
        Default = defaultValue;
        Choices = attribute.Choices is null ? null
            : (IReadOnlyList<string>)typeof(RunSpec).GetProperty(attribute.Choices, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }

    /// The JSON name (snake_case), also the key of validation messages.
    public string Name { get; }

    /// The C# property name (what the portal's form binds to).
    public string PropertyName => _property.Name;

    /// The command-line flag: --kebab-case.
    public string Flag { get; }

    /// int, long, double, bool (a switch) or string.
    public Type ValueType { get; }

    /// Null is allowed (it means <see cref="EmptyMeans"/>).
    public bool IsOptional { get; }

    public object? Default { get; }
    public string Help => _attribute.Help;
    public string Label => _attribute.Label ?? char.ToUpperInvariant(Name[0]) + Name[1..].Replace('_', ' ');
    public string? HelpName => _attribute.HelpName;
    public string? EmptyMeans => _attribute.EmptyMeans;
    public IReadOnlyList<string>? Choices { get; }
    public bool IsPath => _attribute.IsPath;

    /// Longest text allowed (0 = no limit).
    public int MaxLength => _attribute.MaxLength;
    public bool IsArgument => _attribute.IsArgument;
    public string Section => _attribute.Section ?? "Advanced";
    public bool IsNumber => ValueType != typeof(string) && !IsSwitch;

    /// An on/off setting (bool): a flag without a value on the command line, true/false in JSON, a switch on the form.
    public bool IsSwitch => ValueType == typeof(bool);

    /// Help with the default: "… Default: 8." or "… Empty: every epoch."
    public string Description
    {
        get
        {
            string text = Help;
            if (Default is not null)
                text += $" Default: {Format(Default)}.";
            else if (EmptyMeans is not null)
                text += $" Default: {EmptyMeans}.";
            if (Default is not null && EmptyMeans is not null)
                text += $" Empty: {EmptyMeans}.";
            return text;
        }
    }

    public object? Get(RunSpec spec) => _property.GetValue(spec);

    public void Set(RunSpec spec, object? value) => _property.SetValue(spec, value);

    /// The value as the command line and the form write it (invariant culture, round-trip doubles); "" for null.
    public string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// Parses <paramref name="text"/> (a flag value, a form entry or a JSON string): empty text is null for optional
    /// settings. Returns false with a message naming the setting, the text and what is allowed.
    public bool TryParse(string? text, out object? value, out string? error)
    {
        value = null;
        error = null;
        string trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            if (IsOptional)
                return true;
            error = $"{Name} is empty; {Requirement()}.";
            return false;
        }
        if (ValueType == typeof(string))
        {
            value = trimmed;
            return true;
        }
        if (IsSwitch)
        {
            if (bool.TryParse(trimmed, out bool on))
            {
                value = on;
                return true;
            }
            error = $"{Name} '{trimmed}' is not true or false; {Requirement()}.";
            return false;
        }
        bool ok;
        if (ValueType == typeof(int))
        {
            ok = int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i);
            value = i;
        }
        else if (ValueType == typeof(long))
        {
            ok = long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l);
            value = l;
        }
        else
        {
            ok = double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double d);
            value = d;
        }
        if (ok)
            return true;
        value = null;
        error = $"{Name} '{trimmed}' is not {(ValueType == typeof(double) ? "a number" : "a whole number")}; {Requirement()}.";
        return false;
    }

    /// The problem of <paramref name="value"/> on its own (range, choices, length), or null.
    public string? Check(object? value)
    {
        if (value is null)
            return IsOptional ? null : $"{Name} is missing; {Requirement()}.";
        if (value is bool)
            return null;
        if (value is string text)
        {
            if (Choices is not null && !Choices.Contains(text, StringComparer.Ordinal))
                return $"{Name} '{text}' is not allowed; {Requirement()}.";
            if (_attribute.MaxLength > 0 && text.Trim().Length > _attribute.MaxLength)
                return $"{Name} has {text.Trim().Length} characters; {Requirement()}.";
            return null;
        }
        double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        bool tooLow = !double.IsNaN(_attribute.Min) && (_attribute.MinExclusive ? !(number > _attribute.Min) : !(number >= _attribute.Min));
        bool tooHigh = !double.IsNaN(_attribute.Max) && (_attribute.MaxExclusive ? !(number < _attribute.Max) : !(number <= _attribute.Max));
        return tooLow || tooHigh || !double.IsFinite(number) ? $"{Name} {Format(value)} is out of range; {Requirement()}." : null;
    }

    /// What is allowed, e.g. "allowed: a whole number from 1 to 4096".
    public string Requirement()
    {
        string empty = IsOptional ? $", or empty for {EmptyMeans ?? "none"}" : "";
        if (Choices is not null)
            return $"allowed: {string.Join(", ", Choices)}{empty}";
        if (IsSwitch)
            return $"allowed: true or false{empty}";
        if (ValueType == typeof(string))
            return _attribute.MaxLength > 0 ? $"allowed: at most {_attribute.MaxLength} characters{empty}" : $"allowed: a text{empty}";
        string kind = ValueType == typeof(double) ? "a number" : "a whole number";
        bool hasMin = !double.IsNaN(_attribute.Min), hasMax = !double.IsNaN(_attribute.Max) && _attribute.Max < int.MaxValue;
        string min = Bound(_attribute.Min), max = Bound(_attribute.Max);
        string range = (hasMin, hasMax) switch
        {
            (true, true) when !_attribute.MinExclusive && !_attribute.MaxExclusive => $" from {min} to {max}",
            (true, true) => $" {(_attribute.MinExclusive ? "above" : "from")} {min} and {(_attribute.MaxExclusive ? "below" : "at most")} {max}",
            (true, false) => _attribute.MinExclusive ? $" above {min}" : $" of at least {min}",
            (false, true) => _attribute.MaxExclusive ? $" below {max}" : $" of at most {max}",
            _ => "",
        };
        return $"allowed: {kind}{range}{empty}";
    }

    private static string Bound(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public override string ToString() => Name;
}
