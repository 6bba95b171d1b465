using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// A stand-in for the cluster's side of kubectl: <c>get secret</c> answers from a folder (one file per key under
/// namespace/name), or fails like an unreachable API server when the folder holds <c>unreachable</c>; every
/// other command goes to the real kubectl, which makes Secret manifests without a cluster.
/// </summary>
public sealed class ClusterStandIn : IDisposable
{
    private const string Script = """
        #!/usr/bin/env bash
        set -euo pipefail
        arguments=()
        while [ $# -gt 0 ]; do
          case "$1" in
            --context) shift ;;
            *) arguments+=("$1") ;;
          esac
          shift
        done
        if [ "${arguments[0]}" != get ] || [ "${arguments[1]}" != secret ]; then
          exec "$REAL_KUBECTL" "${arguments[@]}"
        fi
        if [ -e "$CLUSTER/unreachable" ]; then
          echo 'The connection to the server was refused' >&2
          exit 1
        fi
        name="${arguments[2]}" namespace="" output=""
        for ((i = 3; i < ${#arguments[@]}; i++)); do
          case "${arguments[i]}" in
            -n) namespace="${arguments[i + 1]}" ;;
            -o) output="${arguments[i + 1]}" ;;
            -o*) output="${arguments[i]#-o}" ;;
          esac
        done
        folder="$CLUSTER/$namespace/$name"
        if [ ! -d "$folder" ]; then
          [[ " ${arguments[*]} " == *" --ignore-not-found "* ]] && exit 0
          echo "Error from server (NotFound): secrets \"$name\" not found" >&2
          exit 1
        fi
        case "$output" in
          name) echo "secret/$name" ;;
          jsonpath=*)
            key="${output#jsonpath=\{.data.}"
            key="${key%\}}"
            key="${key//\\/}"
            if [ -f "$folder/$key" ]; then base64 <"$folder/$key" | tr -d '\n'; fi
            ;;
        esac
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cluster-stand-in-");

    public ClusterStandIn()
    {
        Kubectl = Requirement.NeedExecutable("kubectl", "install kubectl 1.27 or newer");
        var bin = _folder.CreateSubdirectory("bin");
        var standIn = System.IO.Path.Combine(bin.FullName, "kubectl");
        File.WriteAllText(standIn, Script.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Bin = bin.FullName;
    }

    public string Kubectl { get; }
    public string Bin { get; }
    public string Folder => _folder.FullName;

    /// <summary>The environment a script needs to meet this stand-in instead of a cluster.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["PATH"] = $"{Bin}{System.IO.Path.PathSeparator}{System.Environment.GetEnvironmentVariable("PATH")}",
        ["REAL_KUBECTL"] = Kubectl,
        ["CLUSTER"] = Folder,
    };

    public void Keep(string ns, string name, string key, string value)
    {
        var folder = Directory.CreateDirectory(System.IO.Path.Combine(Folder, ns, name));
        File.WriteAllText(System.IO.Path.Combine(folder.FullName, key), value);
    }

    public void Forget(string ns, string name, string key) => File.Delete(System.IO.Path.Combine(Folder, ns, name, key));

    public void Unreachable() => File.WriteAllText(System.IO.Path.Combine(Folder, "unreachable"), "");

    public void Dispose() => _folder.Delete(recursive: true);
}
