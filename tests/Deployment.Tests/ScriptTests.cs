using k8s.Models;
using TestSupport;

namespace Deployment.Tests;

/// <summary>deploy.sh and test.sh: clean under shellcheck, helpful, and deploy.sh's dry run renders everything with no cluster.</summary>
[Collection(AppHostProcesses.Name)]
public sealed class ScriptTests
{
    private static Task<ProcessRun> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Processes.RunAsync(file, arguments, environment, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Runs a script of the repository with a PATH of bash and dirname only: every other tool is missing.</summary>
    private static async Task<ProcessRun> RunWithBashAndDirnameOnlyAsync(IEnumerable<string> arguments)
    {
        var bin = Directory.CreateTempSubdirectory("bash-only-path-");
        try
        {
            foreach (var tool in new[] { "bash", "dirname" })
            {
                var found = Requirement.FindOnPath(tool) ?? throw new InvalidOperationException($"{tool} not on PATH");
                File.CreateSymbolicLink(Path.Combine(bin.FullName, tool), found);
            }
            return await RunAsync(
                Path.Combine(bin.FullName, "bash"), arguments, new Dictionary<string, string> { ["PATH"] = bin.FullName });
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("deploy.sh")]
    [InlineData("test.sh")]
    [InlineData("tools/regenerate-aspirate-output.sh")]
    [InlineData("tools/common.sh")]
    [InlineData(".ci/run")]
    [InlineData("deploy/database/apply-roles.sh")]
    [InlineData("bench/run.sh")]
    public async Task Script_is_clean_under_shellcheck(string script)
    {
        var shellcheck = Requirement.NeedExecutable("shellcheck", "apt-get install -y shellcheck");

        var run = await RunAsync(shellcheck, ["--severity=style", "--external-sources", script]);

        Assert.True(run.ExitCode == 0, $"shellcheck {script}:\n{run.Output}{run.Error}");
    }

    [Theory]
    [InlineData("deploy.sh", "--dry-run")]
    [InlineData("deploy.sh", "--jit")]
    [InlineData("test.sh", "--base-url")]
    [InlineData("tools/regenerate-aspirate-output.sh", "--output")]
    [InlineData("test.sh", "--api-key")]
    [InlineData("deploy/database/apply-roles.sh", "--password-dir")]
    [InlineData("deploy.sh", "--image-tag")]
    [InlineData("bench/run.sh", "--duration")]
    [InlineData("bench/run.sh", "--load")]
    public async Task Script_explains_itself_with_help(string script, string documentedOption)
    {
        var run = await RunAsync("bash", [script, "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains(documentedOption, run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy.sh", "--bogus")]
    [InlineData("test.sh", "--bogus")]
    [InlineData("tools/regenerate-aspirate-output.sh", "--bogus")]
    [InlineData("deploy/database/apply-roles.sh", "--bogus")]
    [InlineData("bench/run.sh", "--bogus")]
    public async Task Script_rejects_an_unknown_option(string script, string option)
    {
        var run = await RunAsync("bash", [script, option]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--load", "fast")]
    [InlineData("--builds", "aot,native")]
    public async Task Bench_refuses_a_build_it_does_not_know_before_building_anything(string option, string value)
    {
        var run = await RunAsync("bash", ["bench/run.sh", option, value]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"{option} must be aot,jit, aot or jit: {value}", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_names_a_missing_prerequisite_and_fails()
    {
        // A PATH with only what the script needs before it checks kubectl: bash and dirname.
        var run = await RunWithBashAndDirnameOnlyAsync(["deploy.sh", "--dry-run"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("'kubectl' is required", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_asks_for_wrk_when_it_is_missing_and_fails()
    {
        // A PATH with bash and dirname only: the benchmark must stop at its check, before it builds anything.
        var run = await RunWithBashAndDirnameOnlyAsync(["bench/run.sh"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("'wrk' is required: apt-get install wrk", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_builds_native_AOT_only_for_its_own_platform_and_names_the_way_out_for_another()
    {
        // Native AOT compiles for the OS and CPU it runs on: a node of another architecture needs --jit or an SDK container.
        var own = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64
            ? "linux-arm64" : "linux-x64";
        var other = own == "linux-x64" ? "linux-arm64" : "linux-x64";

        var refused = await RunAsync("bash", ["-c", $"source ./deploy.sh && check_aot_host {other}"]);
        var accepted = await RunAsync("bash", ["-c", $"source ./deploy.sh && check_aot_host {own}"]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"cannot build {other} images", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--jit", refused.Error, StringComparison.Ordinal);
        Assert.True(accepted.ExitCode == 0, accepted.Error);
    }

    [Theory]
    [InlineData("InvoiceApp", "true", "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled")]
    [InlineData("PaymentProvider", "true", "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled")]
    [InlineData("PaymentProvider", "false", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled")]
    public async Task Images_are_native_AOT_on_the_chiseled_runtime_deps_base_and_JIT_on_the_chiseled_aspnet_one(
        string project, string publishAot, string baseImage)
    {
        // What dotnet publish -t:PublishContainer (deploy.sh) would build on, as the SDK's own container targets decide it.
        var run = await RunAsync("dotnet", ["msbuild", $"{project}/{project}.csproj", "-restore", "-t:ComputeContainerConfig",
            "-p:Configuration=Release", "-p:RuntimeIdentifier=linux-x64", $"-p:PublishAot={publishAot}",
            "-getProperty:ContainerBaseImage", "-getProperty:ContainerUser", "-getItem:ContainerAppCommand"]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains($"\"ContainerBaseImage\": \"{baseImage}", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"ContainerUser\": \"app\"", run.Output, StringComparison.Ordinal);
        // The AOT image runs the native binary itself, the JIT one runs it through dotnet.
        Assert.Contains(
            publishAot == "true" ? $"\"Identity\": \"/app/{project}\"" : "\"Identity\": \"dotnet\"", run.Output, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Deploy_dry_run_writes_its_render_under_each_shell_and_a_failing_aspirate_makes_it_exit_non_zero(string shell)
    {
        var bash = Shells.Path(shell);
        Requirement.NeedExecutable("kubectl", "install kubectl 1.27 or newer");
        Aspirate.Need();
        using var output = new TemporaryDirectory("deploy-dry-run-shell");

        var passing = await Processes.RunAsync(bash, ["deploy.sh", "--dry-run", "--output", output.Path, .. Processes.NoBuildOption],
            timeout: TimeSpan.FromMinutes(8), cancellationToken: TestContext.Current.CancellationToken);
        var failing = await Processes.RunAsync(bash,
            ["deploy.sh", "--dry-run", "--output", output.File("failed"), .. Processes.NoBuildOption],
            new Dictionary<string, string> { ["ASPIRATE"] = "/bin/false" }, TimeSpan.FromMinutes(8), TestContext.Current.CancellationToken);

        Assert.True(passing.ExitCode == 0, $"{shell}: deploy.sh --dry-run failed:\n{passing.Output}\n{passing.Error}");
        Assert.Contains("kind: Job", File.ReadAllText(output.File("rendered.yaml")), StringComparison.Ordinal);
        Assert.True(File.Exists(output.File("secrets.yaml")));
        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("aspirate generate failed", failing.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output.File("failed")), "a failed run writes no render");
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task An_error_the_shell_raises_itself_still_makes_the_script_exit_non_zero(string shell)
    {
        // bash 3.2 runs the EXIT trap with $? = 0 after an unbound variable: tools/common.sh must not let that pass.
        const string Script = """
            FAIL_PREFIX="probe: "
            . tools/common.sh
            make_temporary_folder
            set -u
            printf '%s\n' "$not_set_anywhere"
            script_completed
            """;

        var run = await RunAsync(Shells.Path(shell), ["-c", Script]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("not_set_anywhere", run.Error, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task The_image_tag_changes_with_an_untracked_source_file_and_not_with_an_ignored_one(string shell)
    {
        var git = Requirement.NeedExecutable("git", "install git");
        using var clone = new TemporaryDirectory("image-tag");
        Directory.CreateDirectory(clone.File("tools"));
        File.Copy(RepositoryRoot.Combine("deploy.sh"), clone.File("deploy.sh"));
        File.Copy(RepositoryRoot.Combine("tools", "common.sh"), clone.File(Path.Combine("tools", "common.sh")));
        File.WriteAllText(clone.File(".gitignore"), "bin/\n");
        async Task<string> Tag()
        {
            var script = $"source '{clone.File("deploy.sh")}' && compute_image_tag >/dev/null && printf '%s' \"$image_tag\"";
            var run = await RunAsync(Shells.Path(shell), ["-c", script]);
            Assert.True(run.ExitCode == 0, run.Error);
            return run.Output;
        }
        async Task Git(params string[] arguments) =>
            Assert.Equal(0, (await RunAsync(git, ["-C", clone.Path, "-c", "user.name=t", "-c", "user.email=t@t", .. arguments])).ExitCode);
        await Git("init", "-q");
        await Git("add", "-A");
        await Git("commit", "-qm", "base");

        var committed = await Tag();
        Directory.CreateDirectory(clone.File("bin"));
        File.WriteAllText(clone.File(Path.Combine("bin", "build-output.dll")), "ignored");
        var withIgnored = await Tag();
        File.WriteAllText(clone.File("Untracked.cs"), "class Untracked {}");
        var withUntracked = await Tag();
        File.WriteAllText(clone.File("Untracked.cs"), "class Untracked { int Changed; }");
        var withChangedUntracked = await Tag();

        Assert.Equal(committed, withIgnored);
        Assert.DoesNotContain("dirty", committed, StringComparison.Ordinal);
        Assert.StartsWith($"{committed}-dirty-", withUntracked, StringComparison.Ordinal);
        Assert.NotEqual(withUntracked, withChangedUntracked);
    }

    [Fact]
    public async Task Deploy_refuses_to_build_and_to_deploy_prebuilt_images_at_once()
    {
        var run = await RunAsync("bash", ["deploy.sh", "--image-tag", "abc123", "--jit", "--dry-run"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--image-tag deploys images built elsewhere", run.Error, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public async Task Deploy_dry_run_renders_the_complete_deployment_with_the_real_aspirate_and_no_cluster(string variant)
    {
        var dryRun = await DeployDryRun.OfAsync(variant);
        var committed = RenderedDeployment.Of(variant);

        Assert.Contains("aspirate generate", dryRun.Log, StringComparison.Ordinal);
        Assert.Equal(
            committed.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order(),
            dryRun.Rendered.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order());
        Assert.StartsWith(
            (await RunAsync("git", ["rev-parse", "--short=12", "HEAD"])).Output.Trim(), dryRun.ImageTag, StringComparison.Ordinal);
        foreach (var name in new[] { "invoice-app", "payment-provider" })
        {
            var container = Assert.Single(
                Assert.Single(dryRun.Rendered.OfType<V1Deployment>(), d => d.Metadata.Name == name).Spec.Template.Spec.Containers);
            Assert.Equal($"{name}:{dryRun.ImageTag}", container.Image);
        }
        Assert.All(["data/postgres-secrets", "invoices/invoice-app-secrets", "payments/payment-provider-secrets"],
            name => Assert.Contains(name, dryRun.Secrets.Select(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}")));
        SecretsAreWhereTheyBelong(dryRun.Rendered, dryRun.SecretsYaml);
    }

    [Fact]
    public async Task Deploy_dry_run_a_second_time_renders_exactly_the_same_objects()
    {
        // The base is deterministic and the tag is the commit: a second deployment of the same tree changes nothing.
        var first = await DeployDryRun.OfAsync(RenderedDeployment.Default);
        var second = await DeployDryRun.RunAsync(RenderedDeployment.Default);

        Assert.Equal(first.ImageTag, second.ImageTag);
        Assert.Equal(first.Rendered.Yaml, second.Rendered.Yaml);
    }

    /// <summary>
    /// The Secrets the dry run shows (a real run's, with placeholder values): every Secret a workload reads exists
    /// with the keys it reads; the superuser's password is in the data namespace only, where no team may run a pod;
    /// each service logs in as the role the roles Job creates, to its own database; the Ingress's certificate
    /// names its host.
    /// </summary>
    private static void SecretsAreWhereTheyBelong(RenderedDeployment rendered, string secretsYaml)
    {
        var secrets = RenderedDeployment.Parse("secrets", secretsYaml).OfType<V1Secret>().ToList();
        string Value(string ns, string name, string key) => System.Text.Encoding.UTF8.GetString(
            Assert.Single(secrets, s => s.Metadata.NamespaceProperty == ns && s.Metadata.Name == name).Data[key]);

        Assert.Equal(
            ["data/postgres-secrets", "invoices/invoice-app-secrets", "invoices/invoice-app-tls", "payments/payment-provider-secrets"],
            secrets.Select(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}").Order());
        foreach (var workload in rendered.Workloads)
        {
            foreach (var container in workload.Pod.Containers.Concat(workload.Pod.InitContainers ?? []))
            {
                foreach (var name in (container.EnvFrom ?? []).Select(e => e.SecretRef?.Name).OfType<string>())
                {
                    Assert.Contains(secrets, s => s.Metadata.NamespaceProperty == workload.Namespace && s.Metadata.Name == name);
                }
                foreach (var reference in (container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>())
                {
                    Assert.True(
                        secrets.Any(s => s.Metadata.NamespaceProperty == workload.Namespace
                            && s.Metadata.Name == reference.Name
                            && s.Data.ContainsKey(reference.Key)),
                        $"{workload} {container.Name}: {reference.Name}/{reference.Key} is created by deploy.sh");
                }
            }
        }

        // The superuser's password: only in data, where neither team may read a Secret or run a pod.
        var superuser = Value("data", "postgres-secrets", "POSTGRES_PASSWORD");
        Assert.StartsWith("placeholder-", superuser, StringComparison.Ordinal);
        Assert.All(secrets.Where(s => s.Metadata.NamespaceProperty != "data"), secret => Assert.All(secret.Data,
            entry => Assert.DoesNotContain(superuser, System.Text.Encoding.UTF8.GetString(entry.Value), StringComparison.Ordinal)));
        var rbac = new RbacEvaluator(rendered);
        var teams = new Dictionary<string, string> { ["invoices"] = "invoices-developers", ["payments"] = "payments-developers" };
        Assert.All(secrets, secret => Assert.All(teams.Values, team => Assert.True(
            rbac.CanReadSecrets(team, secret.Metadata.NamespaceProperty)
                == (teams.GetValueOrDefault(secret.Metadata.NamespaceProperty) == team),
            $"{team} and {secret.Metadata.NamespaceProperty}/{secret.Metadata.Name}")));

        // Each service logs in as the role the roles Job makes, with that role's password, to its own database.
        var rolesArguments = Assert.Single(rendered.Workload("postgres-roles").Pod.Containers).Args;
        foreach (var (ns, secret, database, role, passwordKey) in new[]
        {
            ("invoices", "invoice-app-secrets", "invoicesdb", "invoice_app", "INVOICE_APP_PASSWORD"),
            ("payments", "payment-provider-secrets", "paymentsdb", "payment_provider", "PAYMENT_PROVIDER_PASSWORD"),
        })
        {
            Assert.Contains($"{role}:{database}:{passwordKey}", rolesArguments);
            var connection = new System.Data.Common.DbConnectionStringBuilder
            {
                ConnectionString = Value(ns, secret, $"ConnectionStrings__{database}"),
            };
            Assert.Equal("postgres.data.svc.cluster.local", connection["Host"]);
            Assert.Equal(role, connection["Username"]);
            Assert.Equal(database, connection["Database"]);
            Assert.Equal(Value("data", "postgres-secrets", passwordKey), connection["Password"]);
            Assert.NotEqual(superuser, connection["Password"]);
        }
        Assert.False(string.IsNullOrEmpty(Value("invoices", "invoice-app-secrets", "PayApi__ApiKey")));

        var tls = Assert.Single(secrets, s => s.Metadata.Name == "invoice-app-tls");
        Assert.Equal("kubernetes.io/tls", tls.Type);
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            System.Text.Encoding.ASCII.GetString(tls.Data["tls.crt"]), System.Text.Encoding.ASCII.GetString(tls.Data["tls.key"]));
        var ingress = Assert.Single(rendered.OfType<V1Ingress>());
        Assert.Equal(tls.Metadata.Name, Assert.Single(ingress.Spec.Tls).SecretName);
        Assert.True(certificate.MatchesHostname(Assert.Single(ingress.Spec.Rules).Host),
            $"the certificate names {ingress.Spec.Rules[0].Host}");
    }

    private static async Task<(ProcessRun Run, List<V1Secret> Secrets)> PrepareSecretsAgainstAsync(ClusterStandIn cluster, string shell)
    {
        Requirement.NeedExecutable("openssl", "install openssl");
        // deploy.sh's own steps, sourced: choose the values, write them, make the certificate if none is kept.
        const string Steps = """
            source ./deploy.sh
            profile=stand-in
            kubectl_cmd=(kubectl --context stand-in)
            make_temporary_folder
            prepare_secrets
            write_secret_manifests
            script_completed
            """;
        var run = await RunAsync(Shells.Path(shell), ["-c", Steps], cluster.Environment());
        var secrets = run.ExitCode == 0 ? RenderedDeployment.Parse("secrets", run.Output).OfType<V1Secret>().ToList() : [];
        return (run, secrets);
    }

    private static string Value(List<V1Secret> secrets, string ns, string name, string key) => System.Text.Encoding.UTF8.GetString(
        Assert.Single(secrets, s => s.Metadata.NamespaceProperty == ns && s.Metadata.Name == name).Data[key]);

    private static void KeepAll(ClusterStandIn cluster, IEnumerable<V1Secret> secrets)
    {
        foreach (var secret in secrets)
        {
            foreach (var (key, value) in secret.Data)
            {
                cluster.Keep(secret.Metadata.NamespaceProperty, secret.Metadata.Name, key, System.Text.Encoding.UTF8.GetString(value));
            }
        }
    }

    private static IEnumerable<(string, string, string)> Flatten(IEnumerable<V1Secret> secrets) =>
        secrets.Select(s => (
            s.Metadata.NamespaceProperty,
            s.Metadata.Name,
            string.Join(";", s.Data.Select(d => $"{d.Key}={Convert.ToBase64String(d.Value)}"))));

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Deploy_keeps_every_secret_value_the_cluster_holds_and_makes_only_the_missing_ones(string shell)
    {
        using var cluster = new ClusterStandIn();
        // An earlier deployment: the superuser's password and the API key exist; the role passwords do not yet.
        cluster.Keep("data", "postgres-secrets", "POSTGRES_PASSWORD", "kept-superuser-password");
        cluster.Keep("invoices", "invoice-app-secrets", "PayApi__ApiKey", "kept-api-key");
        cluster.Keep("invoices", "invoice-app-tls", "tls.crt", "kept certificate");

        var (first, secrets) = await PrepareSecretsAgainstAsync(cluster, shell);
        Assert.True(first.ExitCode == 0, $"deploy.sh's secret steps failed:\n{first.Output}\n{first.Error}");

        Assert.Equal("kept-superuser-password", Value(secrets, "data", "postgres-secrets", "POSTGRES_PASSWORD"));
        Assert.Equal("kept-api-key", Value(secrets, "invoices", "invoice-app-secrets", "PayApi__ApiKey"));
        Assert.DoesNotContain(secrets, s => s.Metadata.Name == "invoice-app-tls");
        var invoiceRole = Value(secrets, "data", "postgres-secrets", "INVOICE_APP_PASSWORD");
        var paymentRole = Value(secrets, "data", "postgres-secrets", "PAYMENT_PROVIDER_PASSWORD");
        Assert.Matches("^[A-Za-z0-9]{32}$", invoiceRole);
        Assert.Matches("^[A-Za-z0-9]{32}$", paymentRole);
        Assert.NotEqual(invoiceRole, paymentRole);
        Assert.Contains(
            $";Username=invoice_app;Password={invoiceRole};",
            Value(secrets, "invoices", "invoice-app-secrets", "ConnectionStrings__invoicesdb"),
            StringComparison.Ordinal);
        Assert.Contains(
            $";Username=payment_provider;Password={paymentRole};",
            Value(secrets, "payments", "payment-provider-secrets", "ConnectionStrings__paymentsdb"),
            StringComparison.Ordinal);

        // Applied, they are what the cluster holds: the next run keeps every one of them.
        KeepAll(cluster, secrets);
        var (second, again) = await PrepareSecretsAgainstAsync(cluster, shell);
        Assert.True(second.ExitCode == 0, $"the second run failed:\n{second.Output}\n{second.Error}");
        Assert.Equal(Flatten(secrets), Flatten(again));
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Rotating_a_role_password_or_the_api_key_by_removing_it_from_its_secret_changes_only_that_value_everywhere_it_is_used(
        string shell)
    {
        // docs/kubernetes.md's rotation: remove the key from the Secret, run deploy.sh, restart the service.
        using var cluster = new ClusterStandIn();
        var (first, before) = await PrepareSecretsAgainstAsync(cluster, shell);
        Assert.True(first.ExitCode == 0, first.Error);
        KeepAll(cluster, before);
        cluster.Forget("data", "postgres-secrets", "INVOICE_APP_PASSWORD");
        cluster.Forget("invoices", "invoice-app-secrets", "PayApi__ApiKey");

        var (rotation, after) = await PrepareSecretsAgainstAsync(cluster, shell);

        Assert.True(rotation.ExitCode == 0, rotation.Error);
        var newPassword = Value(after, "data", "postgres-secrets", "INVOICE_APP_PASSWORD");
        Assert.NotEqual(Value(before, "data", "postgres-secrets", "INVOICE_APP_PASSWORD"), newPassword);
        Assert.Contains(
            $";Password={newPassword};",
            Value(after, "invoices", "invoice-app-secrets", "ConnectionStrings__invoicesdb"),
            StringComparison.Ordinal);
        Assert.Contains(
            $"invoice_app:{newPassword}@", Value(after, "invoices", "invoice-app-secrets", "INVOICESDB_URI"), StringComparison.Ordinal);
        Assert.NotEqual(
            Value(before, "invoices", "invoice-app-secrets", "PayApi__ApiKey"),
            Value(after, "invoices", "invoice-app-secrets", "PayApi__ApiKey"));
        foreach (var (ns, name, key) in new[]
        {
            ("data", "postgres-secrets", "POSTGRES_PASSWORD"), ("data", "postgres-secrets", "PAYMENT_PROVIDER_PASSWORD"),
            ("payments", "payment-provider-secrets", "ConnectionStrings__paymentsdb"),
        })
        {
            Assert.Equal(Value(before, ns, name, key), Value(after, ns, name, key));
        }
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Deploy_makes_no_secret_when_the_cluster_cannot_say_what_it_holds(string shell)
    {
        using var cluster = new ClusterStandIn();
        cluster.Unreachable();

        var (run, secrets) = await PrepareSecretsAgainstAsync(cluster, shell);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("could not read the Secret data/postgres-secrets", run.Error, StringComparison.Ordinal);
        Assert.Empty(secrets);
        Assert.DoesNotContain("kind: Secret", run.Output, StringComparison.Ordinal);
    }
}
