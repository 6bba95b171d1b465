namespace Deployment.Tests;

/// <summary>
/// deploy.sh's dry run and the drift test publish the AppHost's manifest (building it unless the test build is
/// Debug) while the test.sh tests run its services: one at a time, so a build never rewrites a service's
/// binaries while another test is running them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AppHostProcesses
{
    public const string Name = "processes that build or run the AppHost";
}
