using System.Net;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Kubelet;
using Specific.Sandbox.ClusterSimulator.Manifests;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator;

/// <summary>
/// An in-process Kubernetes API server with a Job controller, a kubelet that runs commands as local processes,
/// and scripted failure conditions; real clients (KubernetesClient, kubectl) talk to it over HTTP.
/// </summary>
public sealed class ClusterSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ManifestLoader _manifests;
    private readonly ControllerManager _controllers;
    private readonly Kubelet.Kubelet _kubelet;
    private int _disposed;

    private ClusterSimulator(WebApplication app, ObjectStore store, ManifestLoader manifests, ControllerManager controllers, Kubelet.Kubelet kubelet, SimulatorClock clock)
    {
        _app = app;
        _store = store;
        _manifests = manifests;
        _controllers = controllers;
        _kubelet = kubelet;
        Clock = clock;
    }

    /// <summary>The address the API server is bound to (useful when the options asked for port 0).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The clock that drives ages, deadlines and ttlSecondsAfterFinished; tests advance it.</summary>
    public SimulatorClock Clock { get; }

    /// <summary>Starts the API server and controllers, loading the manifests from <see cref="ClusterSimulatorOptions.ManifestPaths"/>.</summary>
    public static async Task<ClusterSimulator> StartAsync(ClusterSimulatorOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var clock = new SimulatorClock();
        var store = new ObjectStore(clock, options.WatchHistoryWindow);
        var events = new EventRecorder(store, clock);
        var collector = new GarbageCollector(store, clock);
        var scheduler = new Scheduler(store, events, clock);
        var logs = new PodLogs();
        var kubelet = new Kubelet.Kubelet(store, events, scheduler, logs, clock, loggerFactory.CreateLogger("Specific.Sandbox.ClusterSimulator.Kubelet"));
        var controllers = new ControllerManager(store, clock, loggerFactory.CreateLogger<ControllerManager>(),
        [
            scheduler.Reconcile,
            new JobController(store, events, collector, clock).Reconcile,
            new DeploymentController(store, events, clock).Reconcile,
            new TtlAfterFinishedController(store, collector, clock).Reconcile,
            collector.Reconcile,
            kubelet.Reconcile,
        ]);

        foreach (var node in SimulatedNodes.Create(options.KubeletVersion, clock.UtcNow))
        {
            store.Create(node);
        }
        var manifests = new ManifestLoader(store);
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            manifests.EnsureNamespace(ns);
        }
        foreach (var path in options.ManifestPaths)
        {
            manifests.Apply(await File.ReadAllTextAsync(path, cancellationToken));
        }

        // Isolated from the host's configuration: an appsettings "Kestrel" section or ASPNETCORE_URLS meant for the bot must not bind here.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseKestrel(kestrel => kestrel.AllowSynchronousIO = false);
        builder.WebHost.UseUrls(options.Url);
        var app = builder.Build();
        var api = new ApiServer(store, clock, collector, logs, options);
        app.Run(api.HandleAsync);

        var simulator = new ClusterSimulator(app, store, manifests, controllers, kubelet, clock);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        controllers.Start();
        await simulator.WaitUntilDeployedAsync(cancellationToken);
        return simulator;
    }

    /// <summary>The example cluster is "already running" when StartAsync returns: every Deployment has its pods up.</summary>
    private async Task WaitUntilDeployedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var deployments = _store.List<V1Deployment>();
            if (deployments.All(d => (d.Status?.ReadyReplicas ?? 0) >= (d.Spec?.Replicas ?? 1)))
            {
                return;
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Loads more objects (multi-document YAML) while running, as the manifests at start are loaded.</summary>
    public Task ApplyYamlAsync(string yaml, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        _manifests.Apply(yaml);
        return Task.CompletedTask;
    }

    /// <summary>Fault: ends every open watch stream now, as an API server restart or a load balancer timeout would.</summary>
    public void DropWatches() => _store.DropWatches();

    /// <summary>Fault: forgets the watch history, so a watch from an older resourceVersion gets 410 Gone.</summary>
    public void CompactHistory() => _store.CompactHistory();

    /// <summary>Stops the API server and controllers and kills every process the kubelet started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _store.DropWatches();
        await _controllers.DisposeAsync();
        await _kubelet.DisposeAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
