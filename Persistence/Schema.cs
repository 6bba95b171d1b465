namespace Persistence;

/// <summary>A store's schema, as constant statements for each engine (they differ only in column types).</summary>
public sealed record Schema(IReadOnlyList<string> Sqlite, IReadOnlyList<string> Postgres);
