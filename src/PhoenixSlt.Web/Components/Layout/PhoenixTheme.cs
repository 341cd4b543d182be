using MudBlazor;

namespace PhoenixSlt.Web.Components.Layout;

/// The portal's MudBlazor theme.
public static class PhoenixTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#b3412f",
            Secondary = "#2f6fb3",
            AppbarBackground = "#b3412f",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#e0735f",
            Secondary = "#6fa3dd",
        },
    };
}
