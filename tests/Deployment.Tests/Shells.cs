using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// The shells the scripts must run under: the machine's bash (5.x) and macOS's bash 3.2, which <c>OLD_BASH</c>
/// names (.ci/run points it at a build of GNU bash 3.2.48). Without it a test skips, under CI=true it fails.
/// </summary>
public static class Shells
{
    public const string Current = "bash";
    public const string Old = "bash-3.2";

    public static TheoryData<string> Both => new(Current, Old);

    public static string Path(string shell)
    {
        if (shell == Current)
        {
            return Requirement.NeedExecutable("bash", "install bash");
        }
        var old = Environment.GetEnvironmentVariable("OLD_BASH");
        Requirement.Need(!string.IsNullOrEmpty(old) && File.Exists(old),
            "OLD_BASH does not name a bash 3.2 executable (macOS's /bin/bash; .ci/run sets it)");
        return old!;
    }
}
