using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>
/// An in-process Temporal frontend: the WorkflowService over gRPC (HTTP/2 plaintext) that the real Temporalio client and
/// worker run workflows and activities against, with the history a server would write.
/// </summary>
public sealed class TemporalStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ExecutionStore _store;
    private readonly WorkflowQueries _queries;
    private int _disposed;

    private TemporalStandIn(WebApplication app, ExecutionStore store, WorkflowQueries queries)
    {
        _app = app;
        _store = store;
        _queries = queries;
    }

    /// <summary>The bound URL (useful when the options asked for port 0).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>host:port, as <c>TemporalClientConnectOptions.TargetHost</c> wants it.</summary>
    public string TargetHost => $"{BaseUrl.Host}:{BaseUrl.Port}";

    /// <summary>The namespace it serves.</summary>
    public static string Namespace => TemporalStandInOptions.DefaultNamespace;

    /// <summary>Starts the gRPC server on <see cref="TemporalStandInOptions.Url"/>.</summary>
    public static async Task<TemporalStandIn> StartAsync(TemporalStandInOptions options, ILoggerFactory? loggerFactory = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var store = new ExecutionStore(options.Time);
        var polls = new LongPolls(store, options.LongPollLimit);
        var activities = new ActivityLifecycle(store);
        var queries = new WorkflowQueries(store);
        var endpoint = new WorkflowServiceEndpoint(
            new NamespaceService(TemporalStandInOptions.DefaultNamespace),
            new WorkflowExecutions(store, polls),
            queries,
            new WorkflowTaskService(store, new WorkflowCommands(store, activities), polls),
            new ActivityTaskService(store, activities, polls));

        // Isolated from the host's configuration: an appsettings "Kestrel" section or ASPNETCORE_URLS meant for the bot must not bind here.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        builder.WebHost.UseUrls(options.Url);
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddSingleton<IServiceMethodProvider<WorkflowServiceEndpoint>, WorkflowServiceBinding>();
        var app = builder.Build();
        app.MapGrpcService<WorkflowServiceEndpoint>();

        var standIn = new TemporalStandIn(app, store, queries);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return standIn;
    }

    /// <summary>Every workflow run and its history, newest first: the read model a sandbox page shows.</summary>
    public IReadOnlyList<StandInWorkflow> Workflows() => _queries.Snapshot();

    /// <summary>Answers every long poll, stops timers and the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _store.Stopping.CancelAsync();
        _store.CancelAllTimers();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _store.Stopping.Dispose();
    }
}
