using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using PhoenixSlt.Tests;
using PhoenixSlt.Training.Launch;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Integration;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PhoenixSlt.Web.Tests.Packaging;

/// Checks the Dockerfile, .dockerignore and docker-compose.yml against the repository and the portal's code:
/// no image is built here (no Docker daemon), so these read the files and compare them with what they refer to.
public class DockerPackagingTests
{
    private static readonly string[] RuntimeTargets = ["cpu", "gpu"];
    private static readonly Dictionary<string, string> PublishStageOf = new() { ["cpu"] = "publish-cpu", ["gpu"] = "publish-gpu" };
    private const string WebProject = "src/PhoenixSlt.Web/PhoenixSlt.Web.csproj";
    private const string CliProject = "src/PhoenixSlt.Cli/PhoenixSlt.Cli.csproj";

    private static readonly Lazy<DockerfileModel> LazyDockerfile = new(() => DockerfileModel.Load(RepoFile("Dockerfile")));
    private static readonly Lazy<ComposeFile> LazyCompose = new(() => ComposeFile.Load(RepoFile("docker-compose.yml")));

    private static DockerfileModel Dockerfile => LazyDockerfile.Value;

    private static ComposeFile Compose => LazyCompose.Value;

    // ---------------------------------------------------------------- Dockerfile: stages and build context

    [Fact]
    public void Dockerfile_Targets_CpuAndGpuExistAndCpuIsTheDefault()
    {
        Assert.NotNull(Dockerfile.Stage("cpu"));
        Assert.NotNull(Dockerfile.Stage("gpu"));
        // `docker build .` without --target builds the last stage.
        Assert.Equal("cpu", Dockerfile.Stages[^1].Name);
        Assert.Equal(Dockerfile.Stages.Count, Dockerfile.Stages.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void Dockerfile_BuildContextCopies_SourcesExistAndAreNotDockerignored()
    {
        var ignore = DockerIgnore.Load(RepoFile(".dockerignore"));
        var sources = ContextCopySources();

        Assert.NotEmpty(sources);
        foreach (string source in sources)
        {
            string path = RepoFile(source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY source '{source}' does not exist in the repository");
            Assert.False(ignore.IsExcluded(source), $"COPY source '{source}' is excluded by .dockerignore");
        }
    }

    [Fact]
    public void Dockerignore_CopiedFolders_KeepSourcesAndDropBuildOutputs()
    {
        var ignore = DockerIgnore.Load(RepoFile(".dockerignore"));
        string[] generated = ["bin", "obj", ".cache"];
        var sourceFiles = ContextCopySources()
            .Where(s => Directory.Exists(RepoFile(s)))
            .SelectMany(s => Directory.EnumerateFiles(RepoFile(s), "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(TestPaths.RepoRoot, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Intersect(generated).Any())
            .ToList();

        Assert.Contains(sourceFiles, f => f.EndsWith("Program.cs", StringComparison.Ordinal));
        var excluded = sourceFiles.Where(ignore.IsExcluded).ToList();
        Assert.True(excluded.Count == 0, $".dockerignore drops source files: {string.Join(", ", excluded)}");
        foreach (string dropped in new[]
                 {
                     "src/PhoenixSlt.Web/bin/Release/net10.0/PhoenixSlt.Web.dll", "src/PhoenixSlt.Core/obj/project.assets.json",
                     "data/phoenix.db", "data/phoenix-synth/kpts/a.npy", "checkpoints/runs/1/model.safetensors",
                     ".git/HEAD", "build/.cache/libphoenix_scalarguard-0.so", "tests/fixtures/README.md",
                 })
            Assert.True(ignore.IsExcluded(dropped), $"'{dropped}' would be sent to the Docker daemon");
    }

    [Fact]
    public void Dockerfile_BuildStage_InstallsGccForTheScalarGuard()
    {
        // Directory.Build.targets compiles build/scalar_guard.c with gcc after every publish.
        Assert.Contains("build/scalar-guard.sh", File.ReadAllText(RepoFile("Directory.Build.targets")), StringComparison.Ordinal);
        Assert.Contains("gcc ", File.ReadAllText(RepoFile("build/scalar-guard.sh")), StringComparison.Ordinal);
        DockerStage build = Dockerfile.RequiredStage("build");

        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", Dockerfile.RootImage(build), StringComparison.Ordinal);
        Assert.Contains("gcc", build.AptInstalled());
        foreach (string target in RuntimeTargets)
            Assert.Equal(build, Dockerfile.Stage(Dockerfile.RequiredStage(PublishStageOf[target]).Image));
    }

    [Fact]
    public void Dockerfile_Stages_AllOnUbuntuNobleSoTheGlibcxxFixIsNotNeeded()
    {
        // fix-libtorchsharp.sh acts only where libstdc++ lacks GLIBCXX_3.4.32; Ubuntu 24.04's has it.
        Assert.Contains("GLIBCXX_3.4.32", File.ReadAllText(RepoFile("build/fix-libtorchsharp.sh")), StringComparison.Ordinal);
        string buildDistribution = Distribution(Dockerfile.RootImage(Dockerfile.RequiredStage("build")));

        Assert.Equal("ubuntu-24.04", buildDistribution);
        foreach (DockerStage stage in Dockerfile.Stages)
            Assert.Equal(buildDistribution, Distribution(Dockerfile.RootImage(stage)));
    }

    // ---------------------------------------------------------------- Dockerfile: publish

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Dockerfile_PublishStage_PublishesPortalAndCliFromTheSolutionIntoOneFolder(string target)
    {
        DockerStage publish = Dockerfile.RequiredStage(PublishStageOf[target]);
        var commands = DotnetCommands(publish, "publish");
        var solutionProjects = SolutionProjects();

        Assert.Equal(new[] { CliProject, WebProject }, commands.Select(c => c.Project).Order(StringComparer.Ordinal));
        foreach (DotnetCommand command in commands)
        {
            Assert.Contains(command.Project, solutionProjects);
            Assert.True(File.Exists(RepoFile(command.Project)), $"{command.Project} does not exist");
            Assert.Equal("Release", command.Configuration);
        }
        string? output = Assert.Single(commands.Select(c => c.Output).Distinct());
        Assert.NotNull(output);

        // The runtime target copies exactly that folder into its working directory.
        DockerStage runtime = Dockerfile.RequiredStage(target);
        DockerCopy copy = Assert.Single(runtime.Copies(), c => c.From == publish.Name);
        Assert.Equal(Trim(output), Trim(Assert.Single(copy.Sources)));
        Assert.Equal(Trim(runtime.Last("WORKDIR")!), Trim(copy.Destination));
    }

    [Theory]
    [InlineData("cpu", "libtorch-cpu-linux-x64")]
    [InlineData("gpu", "TorchSharp-cuda-linux")]
    public void Dockerfile_PublishStage_SelectsTheTorchBackendOfItsTarget(string target, string package)
    {
        DockerStage publish = Dockerfile.RequiredStage(PublishStageOf[target]);
        var commands = DotnetCommands(publish, "restore").Concat(DotnetCommands(publish, "publish")).ToList();

        Assert.Equal(3, commands.Count);
        string? backend = Assert.Single(commands.Select(c => c.Properties.GetValueOrDefault("TorchBackend")).Distinct());
        Assert.NotNull(backend);
        Assert.Contains(package, PackagesForTorchBackend(backend));
        Assert.All(DotnetCommands(publish, "publish"), c => Assert.True(c.NoRestore, "publish must use the restore of the same backend"));
    }

    [Theory]
    [InlineData("cpu", "publish-gpu")]
    [InlineData("gpu", "publish-cpu")]
    public void Dockerfile_RuntimeTarget_DoesNotBuildTheOtherBackend(string target, string otherPublishStage)
    {
        var dependencies = Dockerfile.Dependencies(Dockerfile.RequiredStage(target)).Select(s => s.Name).ToList();

        Assert.Contains(PublishStageOf[target], dependencies);
        Assert.DoesNotContain(otherPublishStage, dependencies);
    }

    // ---------------------------------------------------------------- Dockerfile: runtime targets

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Dockerfile_RuntimeTarget_EnvironmentBindsToPortalOptions(string target)
    {
        DockerStage stage = Dockerfile.RequiredStage(target);
        IConfiguration configuration = ConfigurationFromEnv(stage.Env());
        string workdir = stage.Last("WORKDIR")!;
        var phoenix = configuration.GetSection(PhoenixOptions.SectionName).Get<PhoenixOptions>() ?? new PhoenixOptions();
        var training = configuration.GetSection(TrainingOptions.SectionName).Get<TrainingOptions>() ?? new TrainingOptions();
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var paths = new PhoenixPaths(MsOptions.Create(phoenix), new ContentRoot(workdir));

        Assert.Equal("/data", paths.DataRoot);
        Assert.Equal("/checkpoints", paths.CheckpointRoot);
        // The CLI the portal starts is the phoenix-slt.dll published beside PhoenixSlt.Web.dll, whether the
        // configured path or the default (the portal assembly's folder) is used.
        string expectedCli = Path.Combine(workdir, CliCommand.DefaultAssemblyName);
        Assert.Equal(expectedCli, CliCommand.Resolve(training, workdir).Program);
        Assert.Equal(expectedCli, CliCommand.Resolve(new TrainingOptions(), workdir).Program);
        Assert.Equal(CliCommand.DefaultAssemblyName, AssemblyNameOf(CliProject) + ".dll");
        // The database goes to the data root, so onto the /data volume.
        Assert.Equal(Path.Combine(paths.DataRoot, DatabaseOptions.DefaultFileName), PhoenixDatabase.FilePath(database, paths));
        Assert.Equal(WorkerLaunchPlan.GcGen0SizeValue, stage.Env()[WorkerLaunchPlan.GcGen0SizeVariable]);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Dockerfile_RuntimeTarget_VolumesAreTheDataAndCheckpointRootsOwnedByTheUser(string target)
    {
        DockerStage stage = Dockerfile.RequiredStage(target);
        var env = stage.Env();
        string user = stage.Last("USER")!;

        Assert.Equal(
            new[] { env["Phoenix__CheckpointRoot"], env["Phoenix__DataRoot"] },
            stage.Volumes().Order(StringComparer.Ordinal));
        string owner = user.Split(':')[0];
        var chowned = stage.All("RUN")
            .SelectMany(run => Regex.Matches(run, $@"chown\s+(?:-\S+\s+)*{Regex.Escape(owner)}(?::\S+)?\s+([^&|;)]+)"))
            .SelectMany(m => DockerfileModel.SplitWords(m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(stage.Volumes(), volume => Assert.Contains(volume, chowned));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Dockerfile_RuntimeTarget_RunsAsNonRootUser(string target)
    {
        DockerStage stage = Dockerfile.RequiredStage(target);
        string? user = stage.Last("USER");

        Assert.NotNull(user);
        string name = user.Split(':')[0];
        Assert.NotEqual("root", name);
        Assert.NotEqual("0", name);
        // The uid exists: created in the stage, or the aspnet images' `app` user (uid 1654).
        bool created = stage.All("RUN").Any(run => Regex.IsMatch(run, $@"useradd\b[^&]*--uid\s+{Regex.Escape(name)}\b"));
        bool fromAspNetImage = name == "1654" && Dockerfile.RootImage(stage).StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal);
        Assert.True(created || fromAspNetImage, $"user {name} of stage {target} is neither created nor provided by the base image");
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Dockerfile_RuntimeTarget_HealthCheckGetsHealthOnTheExposedPort(string target)
    {
        DockerStage stage = Dockerfile.RequiredStage(target);
        string healthcheck = stage.Last("HEALTHCHECK")!;
        int exposed = Assert.Single(stage.ExposedPorts());

        Assert.NotNull(healthcheck);
        Match command = Regex.Match(healthcheck, @"\bCMD\s+(\S+)\s.*http://(?:localhost|127\.0\.0\.1):(\d+)(/\S*)");
        Assert.True(command.Success, $"HEALTHCHECK '{healthcheck}' does not request a local URL");
        Assert.Equal("/health", command.Groups[3].Value);
        Assert.Equal(exposed, int.Parse(command.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(exposed.ToString(System.Globalization.CultureInfo.InvariantCulture), stage.Env()["ASPNETCORE_HTTP_PORTS"]);
        // The checking tool is installed in the image.
        Assert.Contains(command.Groups[1].Value, stage.AptInstalled());
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Dockerfile_RuntimeTarget_StartsThePortalAssemblyInTheWorkingDirectory(string target)
    {
        DockerStage stage = Dockerfile.RequiredStage(target);
        string[] entrypoint = JsonSerializer.Deserialize<string[]>(stage.Last("ENTRYPOINT")!)!;

        Assert.Equal(new[] { "dotnet", $"{Trim(stage.Last("WORKDIR")!)}/{AssemblyNameOf(WebProject)}.dll" }, entrypoint);
    }

    [Fact]
    public void Dockerfile_GpuTarget_HasCudaAspNetRuntimeAndNccl()
    {
        DockerStage gpu = Dockerfile.RequiredStage("gpu");
        string root = Dockerfile.RootImage(gpu);

        Assert.Matches(@"^nvidia/cuda:12\.\d+(\.\d+)?-cudnn-runtime-", root);
        DockerCopy runtime = Assert.Single(gpu.Copies(), c => c.Sources.Contains("/usr/share/dotnet"));
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", Dockerfile.RootImage(Dockerfile.RequiredStage(runtime.From!)), StringComparison.Ordinal);
        Assert.Contains("libnccl2", gpu.AptInstalled());
        Assert.Contains("libicu74", gpu.AptInstalled());
    }

    [Fact]
    public void Dockerfile_RuntimeTargets_ShareTheirConfiguration()
    {
        DockerStage cpu = Dockerfile.RequiredStage("cpu"), gpu = Dockerfile.RequiredStage("gpu");

        foreach (string key in cpu.Env().Keys)
            Assert.Equal(cpu.Env()[key], gpu.Env().GetValueOrDefault(key));
        foreach (string keyword in new[] { "VOLUME", "EXPOSE", "USER", "WORKDIR", "HEALTHCHECK", "ENTRYPOINT" })
            Assert.Equal(cpu.Last(keyword), gpu.Last(keyword));
    }

    // ---------------------------------------------------------------- docker-compose.yml

    [Theory]
    [InlineData("portal", "gpu")]
    [InlineData("portal-cpu", "cpu")]
    public void Compose_Service_BuildsItsDockerfileTargetUnderItsProfile(string service, string target)
    {
        var definition = Compose.Service(service);
        var build = ComposeFile.Map(definition, "build");

        Assert.Equal(target, ComposeFile.Scalar(build, "target"));
        Assert.NotNull(Dockerfile.Stage(target));
        Assert.True(File.Exists(Path.Combine(RepoFile(ComposeFile.Scalar(build, "context") ?? "."), "Dockerfile")));
        // With a profile, `docker compose --profile cpu up` on a machine without GPUs never starts the GPU service.
        Assert.Equal(new[] { target }, ComposeFile.Strings(definition, "profiles"));
        Assert.Equal("True", ComposeFile.Scalar(definition, "init"), ignoreCase: true);
    }

    [Fact]
    public void Compose_Services_EveryBuildTargetIsADockerfileStage()
    {
        Assert.Equal(new[] { "portal", "portal-cpu" }, Compose.Services.Keys.Select(k => k.ToString()!).Order(StringComparer.Ordinal));
        foreach (var service in Compose.Services.Values.Cast<Dictionary<object, object>>())
            Assert.NotNull(Dockerfile.Stage(ComposeFile.Scalar(ComposeFile.Map(service, "build"), "target")!));
    }

    [Fact]
    public void Compose_GpuService_ReservesAllNvidiaGpus()
    {
        var resources = ComposeFile.Map(ComposeFile.Map(Compose.Service("portal"), "deploy"), "resources");
        var device = Assert.IsType<Dictionary<object, object>>(Assert.Single(ComposeFile.List(ComposeFile.Map(resources, "reservations"), "devices")));

        Assert.Equal("nvidia", ComposeFile.Scalar(device, "driver"));
        Assert.Equal("all", ComposeFile.Scalar(device, "count"));
        Assert.Contains("gpu", ComposeFile.Strings(device, "capabilities"));
        Assert.False(Compose.Service("portal-cpu").ContainsKey("deploy"), "the CPU service must not reserve devices");
    }

    [Theory]
    [InlineData("portal")]
    [InlineData("portal-cpu")]
    public void Compose_Service_PassesTheAdminAccountSettings(string service)
    {
        var env = ComposeFile.Environment(Compose.Service(service));
        string[] names = AdminEnvironmentNames();

        Assert.All(names, name => Assert.Contains(name, env.Keys));
        // Password and API key: from the host's variables, empty when unset (the portal then generates a password).
        Assert.Contains("PHOENIX_ADMIN_PASSWORD", env["Phoenix__Auth__AdminPassword"], StringComparison.Ordinal);
        Assert.Equal("", ComposeFile.WithDefaults(env["Phoenix__Auth__AdminPassword"]));
        Assert.Equal("", ComposeFile.WithDefaults(env["Phoenix__Auth__AdminApiKey"]));
        Assert.NotEqual("", ComposeFile.WithDefaults(env["Phoenix__Auth__AdminUser"]));
    }

    [Theory]
    [InlineData("portal")]
    [InlineData("portal-cpu")]
    public void Compose_Service_PublishesTheTargetsExposedPort(string service)
    {
        var definition = Compose.Service(service);
        DockerStage stage = Dockerfile.RequiredStage(ComposeFile.Scalar(ComposeFile.Map(definition, "build"), "target")!);

        string port = Assert.Single(ComposeFile.Strings(definition, "ports"));
        Assert.Equal(Assert.Single(stage.ExposedPorts()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ComposeFile.ContainerSide(port).Split('/')[0]);
    }

    [Theory]
    [InlineData("portal")]
    [InlineData("portal-cpu")]
    public void Compose_Service_MountsTheImageVolumes(string service)
    {
        var definition = Compose.Service(service);
        DockerStage stage = Dockerfile.RequiredStage(ComposeFile.Scalar(ComposeFile.Map(definition, "build"), "target")!);
        var volumes = ComposeFile.Strings(definition, "volumes");
        var declared = ComposeFile.OptionalMap(Compose.Root, "volumes")?.Keys.Select(k => k.ToString()!).ToHashSet() ?? [];

        Assert.Equal(stage.Volumes().Order(StringComparer.Ordinal), volumes.Select(ComposeFile.ContainerSide).Order(StringComparer.Ordinal));
        Assert.Contains(stage.Env()["Phoenix__DataRoot"], volumes.Select(ComposeFile.ContainerSide));
        Assert.Contains(stage.Env()["Phoenix__CheckpointRoot"], volumes.Select(ComposeFile.ContainerSide));
        foreach (string source in volumes.Select(ComposeFile.SourceSide).Where(s => !s.StartsWith('/') && !s.StartsWith('.')))
            Assert.Contains(source, declared);
    }

    // ---------------------------------------------------------------- the portal behind the health check

    [Fact]
    public async Task HealthCheckUrl_AnonymousRequestToThePortal_Returns200()
    {
        string healthcheck = Dockerfile.RequiredStage("cpu").Last("HEALTHCHECK")!;
        string path = Regex.Match(healthcheck, @"http://[^/\s]+(/\S*)").Groups[1].Value;
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        // No redirects followed: a sign-in redirect (302 to /login) must fail the check as it fails curl -f.
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = factory.StartKestrel() };

        using HttpResponseMessage response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
    }

    // ---------------------------------------------------------------- the parsers themselves

    [Fact]
    public void DockerIgnore_DocumentedExamples_MatchAsDocker()
    {
        // Examples of Docker's .dockerignore reference.
        var ignore = DockerIgnore.Parse(["# comment", "*/temp*", "*/*/temp*", "temp?", "**/*.go", "*.md", "!README.md"]);

        Assert.True(ignore.IsExcluded("somedir/temporary.txt"));
        Assert.True(ignore.IsExcluded("somedir/temp"));
        Assert.True(ignore.IsExcluded("somedir/subdir/temporary.txt"));
        Assert.True(ignore.IsExcluded("tempa"));
        Assert.True(ignore.IsExcluded("a/b/c.go"));
        Assert.True(ignore.IsExcluded("CHANGELOG.md"));
        Assert.False(ignore.IsExcluded("README.md"));
        Assert.False(ignore.IsExcluded("temporary.txt"));
        Assert.False(ignore.IsExcluded("tempab"));
        Assert.True(DockerIgnore.Parse(["**/bin"]).IsExcluded("src/a/bin/Debug/x.dll"));
        Assert.False(DockerIgnore.Parse(["data"]).IsExcluded("src/PhoenixSlt.Web/Data/RunEntity.cs"));
    }

    [Fact]
    public void DockerfileModel_ContinuationsCommentsAndArgs_AreParsed()
    {
        var model = DockerfileModel.Parse("""
            # syntax=docker/dockerfile:1
            ARG TAG=10.0
            FROM example/base:${TAG}-noble AS first
            ENV A=1 \
            # a comment inside a continued line
                B="two words"
            RUN apt-get update && apt-get install -y --no-install-recommends curl \
             && rm -rf /var/lib/apt/lists/*
            FROM first AS second
            COPY --from=first --chown=1:1 /a /b /dest/
            VOLUME ["/x", "/y"]
            EXPOSE 8080/tcp
            """);

        Assert.Equal(new[] { "first", "second" }, model.Stages.Select(s => s.Name));
        Assert.Equal("example/base:10.0-noble", model.RootImage(model.RequiredStage("second")));
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two words" }, model.RequiredStage("first").Env());
        Assert.Equal(new[] { "curl" }, model.RequiredStage("first").AptInstalled());
        DockerCopy copy = Assert.Single(model.RequiredStage("second").Copies());
        Assert.Equal("first", copy.From);
        Assert.Equal(new[] { "/a", "/b" }, copy.Sources);
        Assert.Equal("/dest/", copy.Destination);
        Assert.Equal(new[] { "/x", "/y" }, model.RequiredStage("second").Volumes());
        Assert.Equal(new[] { 8080 }, model.RequiredStage("second").ExposedPorts());
    }

    // ---------------------------------------------------------------- helpers

    private sealed record DotnetCommand(string Verb, string Project, string? Configuration, string? Output, bool NoRestore,
        IReadOnlyDictionary<string, string> Properties);

    /// `dotnet <verb> ...` commands in the stage's RUN instructions.
    private static List<DotnetCommand> DotnetCommands(DockerStage stage, string verb)
    {
        var commands = new List<DotnetCommand>();
        foreach (string run in stage.All("RUN"))
        {
            foreach (string part in Regex.Split(run, @"&&|;"))
            {
                var words = DockerfileModel.SplitWords(part);
                if (words.Count < 3 || words[0] != "dotnet" || words[1] != verb)
                    continue;
                string? configuration = null, output = null;
                bool noRestore = false;
                var properties = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 3; i < words.Count; i++)
                {
                    if (words[i] is "-c" or "--configuration")
                        configuration = words[++i];
                    else if (words[i] is "-o" or "--output")
                        output = words[++i];
                    else if (words[i] == "--no-restore")
                        noRestore = true;
                    else if (words[i].StartsWith("-p:", StringComparison.Ordinal) && words[i].Split('=', 2) is [var key, var value])
                        properties[key[3..]] = value;
                }
                commands.Add(new DotnetCommand(verb, words[2].TrimEnd('/'), configuration, output, noRestore, properties));
            }
        }
        return commands;
    }

    /// Sources of every COPY from the build context (no --from), in all stages.
    private static List<string> ContextCopySources()
        => Dockerfile.Stages.SelectMany(s => s.Copies()).Where(c => c.From is null)
            .SelectMany(c => c.Sources).Select(s => s.TrimEnd('/')).Distinct().ToList();

    /// Project paths of PhoenixSlt.sln, with forward slashes.
    private static HashSet<string> SolutionProjects()
        => Regex.Matches(File.ReadAllText(RepoFile("PhoenixSlt.sln")), @"^Project\([^)]*\)\s*=\s*""[^""]*"",\s*""([^""]+\.csproj)""", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);

    /// The packages src/PhoenixSlt.Core references under Condition="'$(TorchBackend)' == '<backend>'".
    private static IReadOnlyList<string> PackagesForTorchBackend(string backend)
        => XDocument.Load(RepoFile("src/PhoenixSlt.Core/PhoenixSlt.Core.csproj")).Descendants("ItemGroup")
            .Where(g => ((string?)g.Attribute("Condition"))?.Replace(" ", "", StringComparison.Ordinal) == $"'$(TorchBackend)'=='{backend}'")
            .SelectMany(g => g.Elements("PackageReference")).Select(p => (string)p.Attribute("Include")!).ToList();

    /// AssemblyName of a project, or its file name when the project does not set one.
    private static string AssemblyNameOf(string project)
        => XDocument.Load(RepoFile(project)).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault()
            ?? Path.GetFileNameWithoutExtension(project);

    /// The environment variables of the admin account: the Phoenix:Auth section and the AuthOptions properties,
    /// read from the portal assembly.
    private static string[] AdminEnvironmentNames()
    {
        Type options = typeof(PhoenixOptions).Assembly.GetType("PhoenixSlt.Web.Security.AuthOptions")
            ?? throw new InvalidOperationException("PhoenixSlt.Web.Security.AuthOptions is missing");
        string section = (string)options.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        string[] properties = ["AdminUser", "AdminPassword", "AdminApiKey"];
        Assert.All(properties, p => Assert.NotNull(options.GetProperty(p)));
        return properties.Select(p => $"{section.Replace(":", "__", StringComparison.Ordinal)}__{p}").ToArray();
    }

    /// Configuration as the environment-variable provider builds it ("__" separates sections).
    private static IConfiguration ConfigurationFromEnv(IReadOnlyDictionary<string, string> env)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(env.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();

    /// Distribution of an image from its tag: "-noble" tags (mcr.microsoft.com/dotnet) and "ubuntu24.04" tags
    /// (nvidia/cuda) are Ubuntu 24.04.
    private static string Distribution(string image)
    {
        string tag = image.Contains(':', StringComparison.Ordinal) ? image[(image.LastIndexOf(':') + 1)..] : "latest";
        if (Regex.IsMatch(tag, @"(^|-)noble($|-)") || tag.Contains("ubuntu24.04", StringComparison.Ordinal))
            return "ubuntu-24.04";
        return $"unknown ({image})";
    }

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private static string RepoFile(string relative) => Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, relative));

    private sealed class ContentRoot(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "PhoenixSlt.Web";
        public string ContentRootPath { get; set; } = path;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
