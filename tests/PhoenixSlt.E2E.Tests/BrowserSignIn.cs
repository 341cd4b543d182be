using Microsoft.Playwright;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.E2E.Tests;

/// Signs in through the portal's sign-in form, as a user does.
public static class BrowserSignIn
{
    /// A new page (own browser context) that asked for <paramref name="relativeUrl"/>, was sent to the sign-in
    /// page, signed in as the admin and came back; returns once the page's Blazor circuit is connected.
    public static async Task<IPage> OpenSignedInAsync(IBrowser browser, Uri baseAddress, string relativeUrl,
        string userName = PhoenixWebFactory.AdminUser, string password = PhoenixWebFactory.AdminPassword)
    {
        ArgumentNullException.ThrowIfNull(browser);
        IPage page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(new Uri(baseAddress, relativeUrl).ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?"));
        await page.Locator("#username").FillAsync(userName);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        await page.Locator("[data-interactive='true']").WaitForAsync();
        return page;
    }
}
