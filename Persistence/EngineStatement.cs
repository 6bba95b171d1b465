using System.Diagnostics.CodeAnalysis;

namespace Persistence;

/// <summary>
/// One statement in each engine's text, for the few the engines cannot share (PostgreSQL locks rows with
/// <c>FOR UPDATE</c>, which SQLite, one writer at a time, neither has nor needs). The <see cref="Database"/> picks.
/// </summary>
public sealed record EngineStatement([ConstantExpected] string Sqlite, [ConstantExpected] string Postgres);
