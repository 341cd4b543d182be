using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using PhoenixSlt.Web.Security;

namespace PhoenixSlt.Web.Components.Pages.Account;

/// The signed-in user's own account: change the password, create, replace or revoke the API key.
public partial class AccountPage
{
    [Inject] private UserStore Users { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private UserInfo? _user;
    private string? _current;
    private string? _new;
    private string? _repeat;
    private string? _passwordMessage;
    private bool _passwordChanged;
    private string? _newKey;

    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        string? name = (await PortalAccess.UserAsync(AuthenticationState))?.Identity?.Name;
        _user = name is not null && await Users.FindAsync(name) is { } user ? UserInfo.From(user) : null;
    }

    private async Task ChangePasswordAsync()
    {
        if (_user is null)
            return;
        _passwordChanged = false;
        _passwordMessage = PasswordChangeProblem(_new, _repeat);
        if (_passwordMessage is not null)
            return;
        // Checked without recording a sign-in.
        if (await Users.FindAsync(_user.UserName) is not { } stored || !UserStore.HasPassword(stored, _current ?? ""))
        {
            _passwordMessage = "The current password is wrong.";
            return;
        }
        var result = await Users.SetPasswordAsync(_user.Id, _new!);
        _passwordMessage = result.Error ?? "Password changed. Your sessions end: sign in again with the new password.";
        _passwordChanged = result.Error is null;
        _current = _new = _repeat = null;
        if (_passwordChanged)
            Navigation.NavigateTo("/login", forceLoad: true);
    }

    /// Why a new password cannot be used, or null.
    public static string? PasswordChangeProblem(string? password, string? repeat) =>
        UserNameRules.PasswordProblem(password) ?? (password != repeat ? "The two new passwords differ." : null);

    private async Task CreateKeyAsync()
    {
        if (_user is null)
            return;
        var (result, key) = await Users.CreateApiKeyAsync(_user.Id);
        _newKey = key;
        _user = result.User ?? _user;
    }

    private async Task RevokeKeyAsync()
    {
        if (_user is null)
            return;
        _newKey = null;
        _user = (await Users.RevokeApiKeyAsync(_user.Id)).User ?? _user;
    }
}
