using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace PhoenixSlt.Web.Components.Shared;

public partial class MetricChart
{
    /// Series colours: the theme's palette, in this order.
    public static IReadOnlyList<string> Palette { get; } =
    [
        "var(--mud-palette-primary)",
        "var(--mud-palette-secondary)",
        "var(--mud-palette-success)",
        "var(--mud-palette-warning)",
        "var(--mud-palette-info)",
        "var(--mud-palette-error)",
        "var(--mud-palette-tertiary)",
    ];

    private MetricChartLayout? _layout;

    [Parameter, EditorRequired] public string Title { get; set; } = "";

    [Parameter, EditorRequired] public IReadOnlyList<MetricSeries> Series { get; set; } = [];

    /// Name of the x axis.
    [Parameter] public string XLabel { get; set; } = "step";

    /// Shown instead of the plot while no series has a point.
    [Parameter] public string EmptyText { get; set; } = "No points yet.";

    /// data-testid of the chart; the latest value of each series gets "{TestId}-latest-{series}".
    [Parameter] public string TestId { get; set; } = "metric-chart";

    /// Drawing units of the SVG (it scales to the width of its container).
    [Parameter] public double Width { get; set; } = 640;

    [Parameter] public double Height { get; set; } = 240;

    /// The lowest value of the y axis unless data lies below it (0 for BLEU and accuracies); null: around the data.
    [Parameter] public double? YFloor { get; set; }

    protected override void OnParametersSet()
        => _layout = MetricChartLayout.Create(Series, Width, Height, yFloor: YFloor);

    private static string ColorOf(int index) => Palette[index % Palette.Count];

    private static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private string LatestText(MetricSeries series)
        => series.Latest is { } latest
            ? $"{DisplayFormat.Metric(latest.Y)} @ {Num(latest.X)}"
            : "–";
}
