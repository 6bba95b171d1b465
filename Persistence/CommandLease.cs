using System.Data.Common;

namespace Persistence;

/// <summary>A command ready to run on a connection that is the caller's alone until it disposes the lease.</summary>
internal abstract class CommandLease : IAsyncDisposable
{
    public abstract DbCommand Command { get; }

    /// <summary>The command failed: its connection is closed rather than used again.</summary>
    public abstract void Discard();

    public abstract ValueTask DisposeAsync();
}
