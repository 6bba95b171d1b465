namespace Bench;

/// <summary>A line of the start-up table; <see cref="Startup"/> is null when the service never got ready.</summary>
public sealed record StartupRow(string Project, string Build, Startup? Startup, long SizeBytes, string SizeNote);
