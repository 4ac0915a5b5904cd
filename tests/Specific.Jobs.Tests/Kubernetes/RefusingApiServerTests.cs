using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>
/// What the adapter says when the API server refuses: a loopback server answers every request with one Status,
/// as an API server with RBAC or validation would, and the real client talks to it through the DI registration.
/// </summary>
public sealed class RefusingApiServerTests
{
    private static async Task<WebApplication> StartRefusingAsync(HttpStatusCode code, string reason, string message)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = (int)code;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsJsonAsync(new
            {
                kind = "Status",
                apiVersion = "v1",
                status = "Failure",
                message,
                reason,
                code = (int)code,
            });
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static IKubernetesJobs JobsFor(WebApplication server)
    {
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Host"] = address,
            ["Environments:Targets:staging:Namespace"] = "stage",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddKubernetesJobs(configuration).BuildServiceProvider();
        return services.GetRequiredService<IKubernetesJobs>();
    }

    private static PreparedJob SomeJob() =>
        new("j-abcd1234", "stage", "specific-job-abcd1234", "app", "busybox", """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"specific-job-abcd1234"}}""", [])
        {
            Environment = "staging",
        };

    [Fact]
    public async Task Forbidden_read_of_the_deployment_says_which_permission_is_missing()
    {
        await using var server = await StartRefusingAsync(HttpStatusCode.Forbidden, "Forbidden",
            "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:bots:jobs\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"stage\"");

        var error = await Assert.ThrowsAsync<JobRejectedException>(() => JobsFor(server).PrepareAsync(
            new PrepareJobRequest("j-abcd1234", "web", "staging", "stage", "echo hi"), TestContext.Current.CancellationToken));

        Assert.Equal("Forbidden", error.Kind);
        Assert.StartsWith("The bot is not allowed to get deployments.apps in namespace `stage` (deployments.apps \"web\" is forbidden: User", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Grant the bot's service account that permission (see its RBAC manifest), then run the job again.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_job_is_rejected_with_the_api_servers_message()
    {
        await using var server = await StartRefusingAsync(HttpStatusCode.UnprocessableEntity, "Invalid",
            "Job.batch \"specific-job-abcd1234\" is invalid: spec.template.spec.containers[0].image: Required value");

        var error = await Assert.ThrowsAsync<JobRejectedException>(() => JobsFor(server).CreateAsync(SomeJob(), TestContext.Current.CancellationToken));

        Assert.Equal("Invalid", error.Kind);
        Assert.Equal(
            "Kubernetes refused the Job as invalid: Job.batch \"specific-job-abcd1234\" is invalid: spec.template.spec.containers[0].image: Required value",
            error.Message);
    }

    [Fact]
    public async Task Server_errors_stay_retryable()
    {
        await using var server = await StartRefusingAsync(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "etcd is down");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => JobsFor(server).CreateAsync(SomeJob(), TestContext.Current.CancellationToken));

        Assert.IsNotType<JobRejectedException>(error);
    }

    [Fact]
    public async Task Deleting_a_job_that_is_already_gone_is_not_an_error()
    {
        await using var server = await StartRefusingAsync(HttpStatusCode.NotFound, "NotFound", "jobs.batch \"specific-job-abcd1234\" not found");

        await JobsFor(server).DeleteAsync("stage", "specific-job-abcd1234", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Follow_that_may_not_list_jobs_ends_as_forbidden_instead_of_hanging()
    {
        await using var server = await StartRefusingAsync(HttpStatusCode.Forbidden, "Forbidden", "jobs.batch is forbidden");

        var end = await JobsFor(server).FollowAsync(
            new FollowRequest("j-abcd1234", "stage", "specific-job-abcd1234", "app", new FollowCheckpoint()),
            new RecordingObserver(),
            TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.False(end.Succeeded);
        Assert.StartsWith("The bot is not allowed to list ", end.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_environment_is_refused_by_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Host"] = "http://127.0.0.1:1",
            ["Environments:Targets:staging:Namespace"] = "stage",
        }).Build();
        var clients = new ServiceCollection().AddLogging().AddKubernetesJobs(configuration).BuildServiceProvider()
            .GetRequiredService<IKubernetesClientFactory>();

        Assert.Equal("stage", clients.NamespaceOf("staging"));
        Assert.Equal("production", clients.NamespaceOf("production"));
        var error = Assert.Throws<JobRejectedException>(() => clients.NamespaceOf("qa"));
        Assert.Equal("UnknownEnvironment", error.Kind);
        Assert.Equal("Environment `qa` is not configured. Known environments: production, staging.", error.Message);
    }
}
