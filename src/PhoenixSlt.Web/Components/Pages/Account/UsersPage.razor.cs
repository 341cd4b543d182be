using Microsoft.AspNetCore.Components;
using MudBlazor;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Security;

namespace PhoenixSlt.Web.Components.Pages.Account;

/// Account management for admins: add users, change roles, set passwords, delete accounts. The store refuses
/// to demote or delete the last admin.
public partial class UsersPage
{
    [Inject] private UserStore Users { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;

    private IReadOnlyList<UserInfo> _users = [];
    private string? _name;
    private string? _password;
    private string _role = PortalRoles.Viewer;
    private int? _resetId;
    private string? _resetPassword;
    private string? _message;
    private bool _failed;
    // Bumped on every reload of the list: the role selects are re-created, so a refused change shows the stored role
    // again (a select keeps its own choice while its bound value does not change).
    private int _listVersion;

    protected override async Task OnInitializedAsync() => _users = await Users.ListAsync();

    private async Task CreateAsync()
    {
        var result = await Users.CreateAsync(_name?.Trim() ?? "", _password ?? "", _role);
        await ReportAsync(result, $"Added {_name?.Trim()} ({_role}).");
        if (result.Error is null)
            _name = _password = null;
    }

    private async Task SetRoleAsync(UserInfo user, string role) =>
        await ReportAsync(await Users.SetRoleAsync(user.Id, role), $"{user.UserName} is now {role}; their browser sessions end.");

    private async Task ResetPasswordAsync()
    {
        var user = _users.FirstOrDefault(u => u.Id == _resetId);
        if (user is null)
        {
            Show("Pick a user.", failed: true);
            return;
        }
        await ReportAsync(await Users.SetPasswordAsync(user.Id, _resetPassword ?? ""), $"Password of {user.UserName} set; their browser sessions end.");
        _resetPassword = null;
    }

    /// Deletes <paramref name="user"/> once the admin confirmed it in a dialog.
    private async Task DeleteAsync(UserInfo user)
    {
        if (!await ConfirmDialog.AskAsync(Dialogs, "Delete user",
                $"Delete the account {user.UserName}? They can no longer sign in, and their API key stops working.", "Delete", Color.Error))
            return;
        await ReportAsync(await Users.DeleteAsync(user.Id), $"Deleted {user.UserName}.");
        if (_resetId == user.Id)
            _resetId = null;
    }

    /// The picker shows the chosen user's name (nothing, so the placeholder, before a choice).
    private string UserNameOf(int? id) => id is int value ? _users.FirstOrDefault(u => u.Id == value)?.UserName ?? "" : "";

    private async Task ReportAsync(UserResult result, string success)
    {
        Show(result.Error ?? success, result.Error is not null);
        _users = await Users.ListAsync();
        _listVersion++;
    }

    private void Show(string message, bool failed)
    {
        _message = message;
        _failed = failed;
    }
}
