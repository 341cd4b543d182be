using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PhoenixSlt.Web.Components.Pages.Account;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Components.Account;

/// bUnit context with the portal's real <see cref="UserStore"/> over a migrated Sqlite file.
public abstract class AccountTestContext : PortalTestContext, IDisposable
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly SqliteTestDatabase _database = new();

    protected AccountTestContext()
    {
        Users = new UserStore(_database.Factory(), TimeProvider.System);
        Services.AddSingleton(Users);
    }

    protected UserStore Users { get; }

    /// The popover provider of the last <see cref="RenderWithPopovers{TComponent}"/> (open selects list their items there).
    protected IRenderedComponent<MudPopoverProvider>? Popovers { get; private set; }

    void IDisposable.Dispose() => _database.Dispose();

    /// Creates an account in the store and returns it; the test fails when the store refuses.
    protected UserInfo CreateUser(string name, string password, string role)
    {
        var result = Users.CreateAsync(name, password, role).GetAwaiter().GetResult();
        Assert.Null(result.Error);
        return result.User!;
    }

    /// Signs <paramref name="user"/> in for the rendered pages.
    protected void SignIn(UserInfo user)
    {
        Auth.SetAuthorized(user.UserName);
        Auth.SetRoles(user.Role);
    }

    /// The dialog provider of the last <see cref="RenderWithPopovers{TComponent}"/> (confirmation dialogs open there).
    protected IRenderedComponent<MudDialogProvider>? Dialogs { get; private set; }

    protected IRenderedComponent<TComponent> RenderWithPopovers<TComponent>() where TComponent : IComponent
    {
        Popovers = Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
        return Render<TComponent>();
    }

    /// Opens the MudSelect marked <paramref name="testId"/> and clicks the item showing <paramref name="text"/>.
    protected void Choose<TComponent>(IRenderedComponent<TComponent> cut, string testId, string text) where TComponent : IComponent
    {
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.MouseDown();
        Popovers!.WaitForAssertion(() => Assert.Contains(OpenItems(), i => i.TextContent.Trim() == text), Wait);
        OpenItems().First(i => i.TextContent.Trim() == text).Click();
    }

    private IReadOnlyList<IElement> OpenItems() => [.. Popovers!.FindAll(".mud-popover-open .mud-list-item")];
}

/// The Account page: own password and API key, checked against the store the page writes to.
public sealed class AccountPageTests : AccountTestContext
{
    private const string OldPassword = "old secret password";
    private const string NewPassword = "new secret password";

    private readonly UserInfo _alice;

    public AccountPageTests()
    {
        _alice = CreateUser("alice", OldPassword, PortalRoles.Viewer);
        SignIn(_alice);
    }

    private IRenderedComponent<AccountPage> RenderAccount()
    {
        var cut = RenderWithPopovers<AccountPage>();
        cut.WaitForAssertion(() => Assert.Contains(_alice.UserName, cut.Find("[data-testid=account-summary]").TextContent, StringComparison.Ordinal), Wait);
        return cut;
    }

    private static void ChangePassword(IRenderedComponent<AccountPage> cut, string current, string password, string repeat)
    {
        cut.Find("input[data-testid=current-password]").Change(current);
        cut.Find("input[data-testid=new-password]").Change(password);
        cut.Find("input[data-testid=repeat-password]").Change(repeat);
        cut.Find("button[data-testid=change-password]").Click();
    }

    private static string PasswordMessage(IRenderedComponent<AccountPage> cut) => cut.Find("[data-testid=password-message]").TextContent.Trim();

    private bool SignsIn(string password) => Users.CheckPasswordAsync(_alice.UserName, password).GetAwaiter().GetResult() is not null;

    private int? ApiKeyOwner(string key) => Users.FindByApiKeyAsync(key).GetAwaiter().GetResult()?.Id;

    [Fact]
    public void Render_SignedInUser_ShowsItsNameAndRoleFromTheStore()
    {
        var cut = RenderAccount();

        string summary = cut.Find("[data-testid=account-summary]").TextContent;
        Assert.Contains(PortalRoles.Viewer, summary, StringComparison.Ordinal);
        Assert.Equal("No API key.", cut.Find("[data-testid=api-key-status]").TextContent.Trim());
    }

    [Fact]
    public void ChangePassword_WrongCurrentPassword_ErrorShownAndOldPasswordStillSignsIn()
    {
        var cut = RenderAccount();

        ChangePassword(cut, "not the old password", NewPassword, NewPassword);

        cut.WaitForAssertion(() => Assert.Contains("current password is wrong", PasswordMessage(cut), StringComparison.Ordinal), Wait);
        Assert.Contains("mud-alert-text-error", cut.Find("[data-testid=password-message]").ClassName, StringComparison.Ordinal);
        Assert.True(SignsIn(OldPassword));
        Assert.False(SignsIn(NewPassword));
        Assert.DoesNotContain("/login", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangePassword_RepeatDiffers_ErrorShownAndPasswordUnchanged()
    {
        var cut = RenderAccount();

        ChangePassword(cut, OldPassword, NewPassword, NewPassword + "x");

        cut.WaitForAssertion(() => Assert.Contains("differ", PasswordMessage(cut), StringComparison.Ordinal), Wait);
        Assert.True(SignsIn(OldPassword));
        Assert.False(SignsIn(NewPassword));
        Assert.False(SignsIn(NewPassword + "x"));
    }

    [Fact]
    public void ChangePassword_NewPasswordTooShort_ShowsThePasswordRuleAndPasswordUnchanged()
    {
        var cut = RenderAccount();
        string shortPassword = new('s', UserNameRules.MinPasswordLength - 1);

        ChangePassword(cut, OldPassword, shortPassword, shortPassword);

        cut.WaitForAssertion(() => Assert.Equal(UserNameRules.PasswordProblem(shortPassword), PasswordMessage(cut)), Wait);
        Assert.True(SignsIn(OldPassword));
        Assert.False(SignsIn(shortPassword));
    }

    [Fact]
    public void ChangePassword_RightCurrentAndMatchingRepeat_NewPasswordSignsInOldDoesNotAndSignInPageOpens()
    {
        var cut = RenderAccount();

        ChangePassword(cut, OldPassword, NewPassword, NewPassword);

        var navigation = (BunitNavigationManager)Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("/login", navigation.Uri, StringComparison.Ordinal), Wait);
        Assert.True(navigation.History.First().Options.ForceLoad);
        Assert.True(SignsIn(NewPassword));
        Assert.False(SignsIn(OldPassword));
    }

    [Fact]
    public void CreateApiKey_KeyShownOnce_AuthenticatesAsTheUserAndStatusShowsItsPrefix()
    {
        var cut = RenderAccount();

        cut.Find("button[data-testid=create-api-key]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=new-api-key]")), Wait);
        string key = cut.Find("[data-testid=new-api-key]").TextContent.Trim();
        Assert.Equal(_alice.Id, ApiKeyOwner(key));
        Assert.Equal($"Active key: {key[..8]}…", cut.Find("[data-testid=api-key-status]").TextContent.Trim());
        Assert.False(cut.Find("button[data-testid=revoke-api-key]").HasAttribute("disabled"));
    }

    [Fact]
    public void CreateApiKey_SecondTime_ReplacesTheKeySoOnlyTheNewOneAuthenticates()
    {
        var cut = RenderAccount();
        cut.Find("button[data-testid=create-api-key]").Click();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=new-api-key]")), Wait);
        string first = cut.Find("[data-testid=new-api-key]").TextContent.Trim();

        cut.Find("button[data-testid=create-api-key]").Click();

        cut.WaitForAssertion(() => Assert.NotEqual(first, cut.Find("[data-testid=new-api-key]").TextContent.Trim()), Wait);
        string second = cut.Find("[data-testid=new-api-key]").TextContent.Trim();
        Assert.Null(ApiKeyOwner(first));
        Assert.Equal(_alice.Id, ApiKeyOwner(second));
    }

    [Fact]
    public void RevokeApiKey_AfterCreate_KeyNoLongerAuthenticatesAndIsNoLongerShown()
    {
        var cut = RenderAccount();
        cut.Find("button[data-testid=create-api-key]").Click();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=new-api-key]")), Wait);
        string key = cut.Find("[data-testid=new-api-key]").TextContent.Trim();
        Assert.Equal(_alice.Id, ApiKeyOwner(key));

        cut.Find("button[data-testid=revoke-api-key]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=new-api-key]")), Wait);
        Assert.Null(ApiKeyOwner(key));
        Assert.Equal("No API key.", cut.Find("[data-testid=api-key-status]").TextContent.Trim());
        Assert.True(cut.Find("button[data-testid=revoke-api-key]").HasAttribute("disabled"));
    }
}

/// The Users page (admins): every action checked against the store it writes to.
public sealed class UsersPageTests : AccountTestContext
{
    private const string AdminPassword = "admin secret password";
    private const string BobPassword = "bob secret password";

    private readonly UserInfo _admin;

    public UsersPageTests()
    {
        _admin = CreateUser("root", AdminPassword, PortalRoles.Admin);
        SignIn(_admin);
    }

    private IRenderedComponent<UsersPage> RenderUsers()
    {
        var cut = RenderWithPopovers<UsersPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll($"td[data-testid=user-{_admin.UserName}]")), Wait);
        return cut;
    }

    private static string Message(IRenderedComponent<UsersPage> cut) => cut.Find("[data-testid=users-message]").TextContent.Trim();

    private UserInfo? Stored(string name) => Users.ListAsync().GetAwaiter().GetResult().SingleOrDefault(u => u.UserName == name);

    private bool SignsIn(string name, string password) => Users.CheckPasswordAsync(name, password).GetAwaiter().GetResult() is not null;

    /// The role a row's select shows.
    private static string ShownRole(IRenderedComponent<UsersPage> cut, string name)
        => cut.Find($"[data-testid=role-{name}]").TextContent.Trim();

    private static void AddUser(IRenderedComponent<UsersPage> cut, string name, string password)
    {
        cut.Find("input[data-testid=new-user-name]").Change(name);
        cut.Find("input[data-testid=new-user-password]").Change(password);
        cut.Find("button[data-testid=add-user]").Click();
    }

    [Fact]
    public void Render_TwoUsers_OneRowEachWithTheStoredRole()
    {
        CreateUser("bob", BobPassword, PortalRoles.Operator);

        var cut = RenderUsers();

        Assert.Equal(2, cut.FindAll("[data-testid=users-table] tbody tr").Count);
        Assert.Equal(PortalRoles.Admin, ShownRole(cut, "root"));
        Assert.Equal(PortalRoles.Operator, ShownRole(cut, "bob"));
    }

    [Fact]
    public void AddUser_NameAndPassword_RowAppearsAndTheUserSignsInWithThatPassword()
    {
        var cut = RenderUsers();

        AddUser(cut, "bob", BobPassword);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("td[data-testid=user-bob]")), Wait);
        Assert.Contains("mud-alert-text-success", cut.Find("[data-testid=users-message]").ClassName, StringComparison.Ordinal);
        Assert.True(SignsIn("bob", BobPassword));
        Assert.False(SignsIn("bob", AdminPassword));
        // The form's default role is the least privileged one.
        Assert.Equal(PortalRoles.Viewer, Stored("bob")!.Role);
    }

    [Fact]
    public void AddUser_ChosenRole_StoredWithThatRole()
    {
        var cut = RenderUsers();
        Choose(cut, "new-user-role", PortalRoles.Operator);

        AddUser(cut, "bob", BobPassword);

        cut.WaitForAssertion(() => Assert.NotNull(Stored("bob")), Wait);
        Assert.Equal(PortalRoles.Operator, Stored("bob")!.Role);
        cut.WaitForAssertion(() => Assert.Equal(PortalRoles.Operator, ShownRole(cut, "bob")), Wait);
    }

    [Fact]
    public void AddUser_ShortPassword_ShowsThePasswordRuleAndNoUserIsAdded()
    {
        var cut = RenderUsers();
        string shortPassword = new('p', UserNameRules.MinPasswordLength - 1);

        AddUser(cut, "bob", shortPassword);

        cut.WaitForAssertion(() => Assert.Equal(UserNameRules.PasswordProblem(shortPassword), Message(cut)), Wait);
        Assert.Contains("mud-alert-text-error", cut.Find("[data-testid=users-message]").ClassName, StringComparison.Ordinal);
        Assert.Null(Stored("bob"));
        Assert.Empty(cut.FindAll("td[data-testid=user-bob]"));
    }

    [Fact]
    public async Task AddUser_NameTaken_ShowsTheStoreRefusalAndKeepsOneAccount()
    {
        var cut = RenderUsers();

        AddUser(cut, "root", BobPassword);

        cut.WaitForAssertion(() => Assert.Contains("already exists", Message(cut), StringComparison.Ordinal), Wait);
        Assert.Single(await Users.ListAsync());
        Assert.True(SignsIn("root", AdminPassword));
        Assert.False(SignsIn("root", BobPassword));
    }

    [Fact]
    public void SetRole_OperatorToViewer_PersistsInTheStore()
    {
        CreateUser("bob", BobPassword, PortalRoles.Operator);
        var cut = RenderUsers();

        Choose(cut, "role-bob", PortalRoles.Viewer);

        cut.WaitForAssertion(() => Assert.Equal(PortalRoles.Viewer, Stored("bob")!.Role), Wait);
        Assert.Equal(PortalRoles.Viewer, ShownRole(cut, "bob"));
        Assert.Equal(PortalRoles.Admin, Stored("root")!.Role);
    }

    [Fact]
    public async Task SetRole_DemoteTheOnlyAdmin_ShowsTheStoreRefusalAndTheAdminStaysAdmin()
    {
        CreateUser("bob", BobPassword, PortalRoles.Operator);
        var cut = RenderUsers();

        Choose(cut, "role-root", PortalRoles.Viewer);

        // The store refuses the same change without side effects, so its message is the expected text.
        string? refusal = (await Users.SetRoleAsync(_admin.Id, PortalRoles.Viewer)).Error;
        Assert.NotNull(refusal);
        cut.WaitForAssertion(() => Assert.Equal(refusal, Message(cut)), Wait);
        Assert.Equal(PortalRoles.Admin, Stored("root")!.Role);
        Assert.Equal(PortalRoles.Admin, ShownRole(cut, "root"));
    }

    [Fact]
    public void SetRole_SecondAdminExists_FirstAdminCanBeDemoted()
    {
        CreateUser("bob", BobPassword, PortalRoles.Admin);
        var cut = RenderUsers();

        Choose(cut, "role-root", PortalRoles.Operator);

        cut.WaitForAssertion(() => Assert.Equal(PortalRoles.Operator, Stored("root")!.Role), Wait);
        Assert.Equal(PortalRoles.Admin, Stored("bob")!.Role);
    }

    /// Waits for the confirmation dialog, checks that it names <paramref name="name"/>, and presses its button.
    private void AnswerDeleteDialog(string name, bool confirm)
    {
        var dialogs = Dialogs!;
        dialogs.WaitForAssertion(() => Assert.Contains(name, dialogs.Find("[data-testid=confirm-message]").TextContent, StringComparison.Ordinal), Wait);
        dialogs.Find(confirm ? "button[data-testid=confirm-yes]" : "button[data-testid=confirm-cancel]").Click();
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=confirm-message]")), Wait);
    }

    [Fact]
    public async Task Delete_TheOnlyAdmin_ShowsTheStoreRefusalAndTheAdminRemains()
    {
        var cut = RenderUsers();

        cut.Find("button[data-testid=delete-root]").Click();
        AnswerDeleteDialog("root", confirm: true);

        string? refusal = (await Users.DeleteAsync(_admin.Id)).Error;
        Assert.NotNull(refusal);
        cut.WaitForAssertion(() => Assert.Equal(refusal, Message(cut)), Wait);
        Assert.NotNull(Stored("root"));
        Assert.NotEmpty(cut.FindAll("td[data-testid=user-root]"));
        Assert.True(SignsIn("root", AdminPassword));
    }

    [Fact]
    public void Delete_AnotherUser_RowAndAccountGone()
    {
        CreateUser("bob", BobPassword, PortalRoles.Viewer);
        var cut = RenderUsers();
        Assert.NotEmpty(cut.FindAll("td[data-testid=user-bob]"));

        cut.Find("button[data-testid=delete-bob]").Click();
        AnswerDeleteDialog("bob", confirm: true);

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("td[data-testid=user-bob]")), Wait);
        Assert.Null(Stored("bob"));
        Assert.False(SignsIn("bob", BobPassword));
        Assert.NotNull(Stored("root"));
    }

    [Fact]
    public void Delete_Cancelled_NothingDeletedAndNoMessage()
    {
        CreateUser("bob", BobPassword, PortalRoles.Viewer);
        var cut = RenderUsers();

        cut.Find("button[data-testid=delete-bob]").Click();
        AnswerDeleteDialog("bob", confirm: false);

        Assert.NotNull(Stored("bob"));
        Assert.True(SignsIn("bob", BobPassword));
        Assert.NotEmpty(cut.FindAll("td[data-testid=user-bob]"));
        Assert.Empty(cut.FindAll("[data-testid=users-message]"));
    }

    [Fact]
    public void Render_SetPasswordPicker_ShowsAPlaceholderAndTheChosenName()
    {
        CreateUser("bob", BobPassword, PortalRoles.Viewer);
        var cut = RenderUsers();

        var picker = cut.Find("input[data-testid=reset-user]");
        Assert.Equal("", picker.GetAttribute("value") ?? "");
        Assert.Contains("Choose a user", cut.Find("[data-testid=reset-user]").Closest(".mud-input-control")!.InnerHtml, StringComparison.Ordinal);

        Choose(cut, "reset-user", "bob");

        cut.WaitForAssertion(() => Assert.Equal("bob", cut.Find("input[data-testid=reset-user]").GetAttribute("value")), Wait);
    }

    [Fact]
    public void SetPassword_NoUserChosen_AsksToPickOne()
    {
        var cut = RenderUsers();

        cut.Find("input[data-testid=reset-password]").Change("reset secret password");
        cut.Find("button[data-testid=set-password]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Pick a user.", Message(cut)), Wait);
        Assert.True(SignsIn("root", AdminPassword));
    }

    [Fact]
    public void SetPassword_ChosenUser_NewPasswordSignsInOldDoesNot()
    {
        CreateUser("bob", BobPassword, PortalRoles.Viewer);
        var cut = RenderUsers();
        const string reset = "reset secret password";

        Choose(cut, "reset-user", "bob");
        cut.Find("input[data-testid=reset-password]").Change(reset);
        cut.Find("button[data-testid=set-password]").Click();

        cut.WaitForAssertion(() => Assert.True(SignsIn("bob", reset)), Wait);
        Assert.False(SignsIn("bob", BobPassword));
        Assert.True(SignsIn("root", AdminPassword));
    }

    [Fact]
    public void SetPassword_ShortPassword_ShowsThePasswordRuleAndPasswordUnchanged()
    {
        CreateUser("bob", BobPassword, PortalRoles.Viewer);
        var cut = RenderUsers();
        string shortPassword = new('r', UserNameRules.MinPasswordLength - 1);

        Choose(cut, "reset-user", "bob");
        cut.Find("input[data-testid=reset-password]").Change(shortPassword);
        cut.Find("button[data-testid=set-password]").Click();

        cut.WaitForAssertion(() => Assert.Equal(UserNameRules.PasswordProblem(shortPassword), Message(cut)), Wait);
        Assert.True(SignsIn("bob", BobPassword));
        Assert.False(SignsIn("bob", shortPassword));
    }
}
