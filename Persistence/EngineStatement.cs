using System.Diagnostics.CodeAnalysis;

namespace Persistence;

/// <summary>One statement in each engine's text, for the few they cannot share (PostgreSQL locks rows with
/// <c>FOR UPDATE</c>, which SQLite, one writer at a time, neither has nor needs).</summary>
public sealed record EngineStatement([ConstantExpected] string Sqlite, [ConstantExpected] string Postgres);
