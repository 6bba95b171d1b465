namespace Deployment.Tests;

/// <summary>
/// The native AOT publishes keep both cores busy for minutes each: they run one at a time and, with parallelization
/// off for this collection, only after the assembly's parallel tests, so no test with a start-up deadline shares the
/// cores with the ILCompiler.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeAotPublishes
{
    public const string Name = "native AOT publishes";
}
