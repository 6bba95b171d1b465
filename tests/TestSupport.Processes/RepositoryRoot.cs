namespace TestSupport;

/// <summary>Finds files of the repository from a test's output folder, whatever the checkout's location.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "InvoicePayments.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"InvoicePayments.slnx not found above {AppContext.BaseDirectory}");
    }
}
