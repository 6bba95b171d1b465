using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// A table under deploy/ that test.sh reads too: lines starting with # are comments, the first other line names the
/// columns, and each line after it is one row of space-separated cells.
/// </summary>
public static class TableFile
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string name)
    {
        var lines = File.ReadAllLines(RepositoryRoot.Combine("deploy", name))
            .Where(line => line.Trim().Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        var header = lines[0];
        return lines.Skip(1).Select(cells => cells.Length == header.Length
                ? (IReadOnlyDictionary<string, string>)header.Zip(cells).ToDictionary(c => c.First, c => c.Second)
                : throw new InvalidDataException(
                    $"deploy/{name}: '{string.Join(' ', cells)}' has {cells.Length} cells, the header {header.Length}"))
            .ToList();
    }
}
