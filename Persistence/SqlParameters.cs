namespace Persistence;

/// <summary>A query's parameters: name and value, never spliced into the text.</summary>
public sealed class SqlParameters : List<(string Name, object? Value)>;
