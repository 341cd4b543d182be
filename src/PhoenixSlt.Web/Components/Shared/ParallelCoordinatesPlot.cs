using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ParCoordsLib;
using PhoenixSlt.Web.Services.Runs;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace PhoenixSlt.Web.Components.Shared;

/// The parallel-coordinates figure of settings vs dev BLEU-4 (pure): one axis per numeric setting that differs, the
/// last axis BLEU-4, one line per run coloured by its BLEU-4. Runs without a BLEU-4 or without a value on some axis
/// cannot be drawn as a line and are left out.
public static class ParallelCoordinatesPlot
{
    public const string Bleu4Axis = "dev BLEU-4";

    /// The rows that make a line: every value and the BLEU-4 known.
    public static IReadOnlyList<ParallelRow> Drawable(IReadOnlyList<ParallelRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return [.. rows.Where(r => r.Bleu4 is double b && double.IsFinite(b) && r.Values.All(v => v is double x && double.IsFinite(x)))];
    }

    /// The trace, or null with fewer than two drawable runs or no differing setting.
    public static ParCoords? Trace(IReadOnlyList<string> dimensions, IReadOnlyList<ParallelRow> rows)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        var drawable = Drawable(rows);
        if (dimensions.Count == 0 || drawable.Count < 2)
            return null;
        var axes = dimensions.Select((name, i) => new Dimension
        {
            Label = name,
            Values = [.. drawable.Select(r => (object)r.Values[i]!.Value)],
        }).ToList();
        var bleu = drawable.Select(r => r.Bleu4!.Value).ToList();
        axes.Add(new Dimension { Label = Bleu4Axis, Values = [.. bleu.Cast<object>()] });
        return new ParCoords
        {
            Dimensions = axes,
            Line = new Line
            {
                ColorArray = [.. bleu.Cast<object>()],
                ColorScale = "Viridis",
                ShowScale = true,
            },
        };
    }

    public static PlotlyLayout Layout(int height) => new()
    {
        Height = height,
        Margin = new Plotly.Blazor.LayoutLib.Margin { L = 60, R = 40, T = 50, B = 30 },
        PaperBgColor = "rgba(0,0,0,0)",
    };
}
