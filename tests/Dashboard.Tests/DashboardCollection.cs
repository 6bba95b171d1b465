namespace Dashboard.Tests;

/// <summary>The dashboard tests share one running system and take turns on it.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<PaymentSystemWithDashboard>
{
    public const string Name = "payment system with dashboard";
}
