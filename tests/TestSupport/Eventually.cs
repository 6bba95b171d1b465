using Xunit;

namespace TestSupport;

/// <summary>Waiting for what another thread or process brings about, with a deadline that fails the test.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        while (!await condition())
        {
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, interval);
}
