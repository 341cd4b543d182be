using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Security;

namespace PhoenixSlt.Web.Components.Pages.Account;

/// The sign-in form (static rendering, posted with an antiforgery token). Repeated failures for a user name
/// pause sign-in for it (<see cref="SignInThrottle"/>).
public partial class Login
{
    [Inject] private UserStore Users { get; set; } = null!;
    [Inject] private SignInThrottle Throttle { get; set; } = null!;
    [Inject] private DatabaseState Database { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [CascadingParameter] private HttpContext HttpContext { get; set; } = null!;

    [SupplyParameterFromForm] private LoginInput? Input { get; set; }

    [SupplyParameterFromQuery] private string? ReturnUrl { get; set; }

    private string? Error { get; set; }

    protected override void OnInitialized() => Input ??= new LoginInput();

    private async Task SignInAsync()
    {
        if (!Database.IsReady)
        {
            Error = $"Sign-in is unavailable: {Database.Error ?? "the database is still being prepared; try again in a moment."}";
            return;
        }
        var input = Input ?? new LoginInput();
        string userName = input.UserName.Trim();
        int locked = Throttle.SecondsLocked(userName);
        if (locked > 0)
        {
            Error = $"Too many failed sign-ins for '{userName}'; try again in {locked} s.";
            return;
        }
        var user = await Users.CheckPasswordAsync(userName, input.Password, HttpContext.RequestAborted);
        if (user is null)
        {
            Throttle.RecordFailure(userName);
            Error = "Wrong user name or password.";
            return;
        }
        Throttle.RecordSuccess(userName);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            UserStore.ToPrincipal(user, CookieAuthenticationDefaults.AuthenticationScheme),
            new AuthenticationProperties { IsPersistent = input.RememberMe });
        Navigation.NavigateTo(ReturnUrls.Safe(ReturnUrl));
    }

    public sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your user name.")]
        public string UserName { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        public string Password { get; set; } = "";

        public bool RememberMe { get; set; }
    }
}
