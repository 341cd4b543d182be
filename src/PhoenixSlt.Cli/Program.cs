using PhoenixSlt.Cli;

return await CliApp.CreateRoot().Parse(args).InvokeAsync(CliApp.InvocationConfiguration());
