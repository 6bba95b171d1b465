using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace TestSupport;

/// <summary>
/// In memory a request has no sender; this gives it the address in the <see cref="Header"/> header, before any of the
/// service's own middleware runs, as a connection from that address would.
/// </summary>
public static class PeerAddress
{
    public const string Header = "X-Test-Peer-Address";

    public static void AddTo(IServiceCollection services) =>
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, FromHeader>());

    private sealed class FromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header], out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
