using System.Collections.Concurrent;
using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace Persistence.Tests;

/// <summary>
/// The store as a busy service uses it: many callers at once on one pool, some of them giving up (their token
/// cancelled) while a statement is on its way, as the service's own timeouts do. Nothing but that cancellation
/// may fail, and every invoice ends paid.
/// </summary>
public sealed class StoreConcurrencyTests
{
    private const int Invoices = 150;
    private const int Callers = 32;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Theory]
    [ClassData(typeof(Engines))]
    public async Task Many_callers_at_once_some_giving_up_pay_every_invoice_without_a_store_error(string engine)
    {
        await using var opened = await Stores.InvoicesAsync(engine, [], "busy");
        var store = opened.Store;
        for (var i = 0; i < Invoices; i++)
        {
            await store.AddAsync(new Invoice($"B{i:D3}", 1.25m, "EUR", false), Cancel);
        }
        var errors = new ConcurrentQueue<Exception>();
        var paid = new ConcurrentDictionary<string, int>();

        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            while (!Cancel.IsCancellationRequested)
            {
                try
                {
                    if (!await PayOneAsync(store, random, paid))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
                {
                    // The caller gave up, as a request whose timeout ran out does: the next round goes on.
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                    return;
                }
            }
        }, Cancel)));

        Assert.True(errors.IsEmpty, $"store errors under concurrent use:\n{string.Join("\n\n", errors.Take(3))}");
        Assert.Empty(await store.ListAsync(InvoiceSelection.NotPaid, Cancel));
        Assert.Equal(Invoices, (await store.ListAsync(InvoiceSelection.Paid, Cancel)).Count);
        Assert.All(paid, entry => Assert.Equal(1, entry.Value));
    }

    /// <summary>
    /// SQLite reads lease times through functions on its pooled handles: many connections opening, reading the clock
    /// and closing at once must each get the time, never an error, and never take the process down.
    /// </summary>
    [Fact]
    public async Task On_sqlite_many_connections_opening_at_once_each_read_the_clock()
    {
        await using var db = TestDatabase.Create(TestDatabase.Sqlite, "clock");
        await using var database = db.Open();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var errors = new ConcurrentQueue<Exception>();
        var readings = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                try
                {
                    var now = await database.QueryAsync($"SELECT {Database.NowMilliseconds}", [], reader => reader.GetInt64(0), Cancel);
                    readings.Add(now.Single());
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                    return;
                }
            }
        }, Cancel)));

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.True(errors.IsEmpty, $"errors reading the clock:\n{string.Join("\n\n", errors.Take(3))}");
        Assert.Equal(Callers * 150, readings.Count);
        Assert.All(readings, reading => Assert.InRange(reading, before, after));
    }

    /// <summary>One caller's round: claim an unpaid invoice, look at it, renew and settle it. False once none is left.</summary>
    private static async Task<bool> PayOneAsync(SqlInvoiceStore store, Random random, ConcurrentDictionary<string, int> paid)
    {
        // Some rounds give up after a moment, at whichever statement that falls on.
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        if (random.Next(4) == 0)
        {
            giveUp.CancelAfter(TimeSpan.FromMilliseconds(random.Next(1, 20)));
        }
        var token = giveUp.Token;

        var unpaid = await store.ListAsync(InvoiceSelection.NotPaid, token);
        if (unpaid.Count == 0)
        {
            return false;
        }
        await store.ListExpiredClaimsAsync(token);
        var id = unpaid[random.Next(unpaid.Count)].InvoiceId;
        await store.FindAsync(id, token);
        // A claim is never given up on: one whose answer was lost would stay claimed for the whole lease.
        var claim = await store.TryClaimAsync(id, Lease, Cancel);
        if (claim is null)
        {
            return true;
        }
        if (!await store.RenewAsync(claim, Lease, Cancel))
        {
            throw new InvalidOperationException($"the live claim of {id} could not be renewed");
        }
        if (random.Next(3) == 0)
        {
            await store.ReleaseAsync(claim, Cancel);
            return true;
        }
        await store.MarkPaidAsync(claim, Cancel);
        paid.AddOrUpdate(id, 1, (_, count) => count + 1);
        return true;
    }
}
