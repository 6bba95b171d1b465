using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Honours <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> only from <c>ForwardedHeaders:KnownNetworks</c>
/// (in the cluster, the ingress controller's pods): a spoofed address earns neither a fresh rate-limit budget nor a new
/// limiter entry.</summary>
public static class TrustedForwardedHeaders
{
    public const string KnownNetworksKey = "ForwardedHeaders:KnownNetworks";

    public static TBuilder AddTrustedForwardedHeaders<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // The framework's switch clears the trusted lists: every sender would be believed.
        if (builder.Configuration.GetValue<bool>("ForwardedHeaders_Enabled"))
        {
            throw new InvalidOperationException(
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED trusts X-Forwarded-For from any sender; remove it and list the proxies' networks in "
                + $"{KnownNetworksKey} (ForwardedHeaders__KnownNetworks__0=10.244.0.0/16)");
        }
        var networks = builder.Configuration.GetSection(KnownNetworksKey).Get<string[]>() ?? [];
        if (networks.Length == 0)
        {
            return builder;
        }
        var known = networks.Select(Parse).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in known)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        builder.Services.AddTransient<IStartupFilter, ForwardedHeadersFirst>();
        return builder;
    }

    private static System.Net.IPNetwork Parse(string network) =>
        System.Net.IPNetwork.TryParse(network, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"{KnownNetworksKey}: '{network}' is not a network such as 10.244.0.0/16");

    /// <summary>Before anything reads the client's address.</summary>
    private sealed class ForwardedHeadersFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }
}
