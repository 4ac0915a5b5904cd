using k8s;
using System.Text.Json;
using k8s.Autorest;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>Refusals come back as meta/v1 Status objects shaped exactly as the API server sends them.</summary>
public sealed class StatusTests
{
    [Fact]
    public async Task Reading_a_missing_job_is_a_404_NotFound_status()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.BatchV1.ReadNamespacedJobAsync("nope", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(404, (int)error.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"jobs.batch \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"batch","kind":"jobs"},"code":404}""",
            error.Response.Content);
    }

    [Fact]
    public async Task Creating_a_job_twice_is_a_409_AlreadyExists_status()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("twice", "true"));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.CreateJobAsync(TestCluster.ShellJob("twice", "true")));

        Assert.Equal(409, (int)error.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"jobs.batch \"twice\" already exists","reason":"AlreadyExists","details":{"name":"twice","group":"batch","kind":"jobs"},"code":409}""",
            error.Response.Content);
    }

    [Fact]
    public async Task Invalid_job_is_a_422_with_one_cause_per_field()
    {
        await using var cluster = await TestCluster.StartAsync();
        var job = TestCluster.ShellJob("bad-job", "true", j =>
        {
            j.Spec.Template.Spec.RestartPolicy = "Always";
            j.Spec.Template.Spec.Containers[0].Image = null;
        });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.CreateJobAsync(job));

        Assert.Equal(422, (int)error.Response.StatusCode);
        using var body = JsonDocument.Parse(error.Response.Content);
        var root = body.RootElement;
        Assert.Equal(("Status", "Failure", "Invalid", 422), (root.GetProperty("kind").GetString(), root.GetProperty("status").GetString(), root.GetProperty("reason").GetString(), root.GetProperty("code").GetInt32()));
        Assert.Equal(
            "Job.batch \"bad-job\" is invalid: [spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\", spec.template.spec.containers[0].image: Required value]",
            root.GetProperty("message").GetString());
        var details = root.GetProperty("details");
        Assert.Equal(("bad-job", "batch", "Job"), (details.GetProperty("name").GetString(), details.GetProperty("group").GetString(), details.GetProperty("kind").GetString()));
        var causes = details.GetProperty("causes").EnumerateArray().Select(c => (c.GetProperty("reason").GetString(), c.GetProperty("field").GetString())).ToList();
        Assert.Equal([("FieldValueNotSupported", "spec.template.spec.restartPolicy"), ("FieldValueRequired", "spec.template.spec.containers[0].image")], causes);
    }

    [Theory]
    [InlineData("Bad_Name", "metadata.name: Invalid value: \\\"Bad_Name\\\": a lowercase RFC 1123 label")]
    [InlineData("", "metadata.name: Required value: name or generateName is required")]
    public async Task Job_name_must_be_a_DNS_label(string name, string expected)
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.CreateJobAsync(TestCluster.ShellJob(name, "true")));

        Assert.Equal(422, (int)error.Response.StatusCode);
        Assert.Contains(expected, error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_without_a_container_name_or_restart_policy_is_refused()
    {
        await using var cluster = await TestCluster.StartAsync();
        var job = TestCluster.ShellJob("no-name", "true", j =>
        {
            j.Spec.Template.Spec.RestartPolicy = null;
            j.Spec.Template.Spec.Containers[0].Name = null;
        });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.CreateJobAsync(job));

        Assert.Equal(422, (int)error.Response.StatusCode);
        Assert.Contains("spec.template.spec.restartPolicy: Required value: valid values: \\\"OnFailure\\\", \\\"Never\\\"", error.Response.Content, StringComparison.Ordinal);
        Assert.Contains("spec.template.spec.containers[0].name: Required value", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_a_404_for_the_namespace()
    {
        await using var cluster = await TestCluster.StartAsync();
        var job = TestCluster.ShellJob("lost", "true", j => j.Metadata.NamespaceProperty = null);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.BatchV1.CreateNamespacedJobAsync(job, "nowhere", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(404, (int)error.Response.StatusCode);
        Assert.Contains("namespaces \\\"nowhere\\\" not found", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replacing_with_a_stale_resource_version_is_a_409_Conflict()
    {
        await using var cluster = await TestCluster.StartAsync();
        var cm = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("web-config", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        cm.Data["LOG_LEVEL"] = "debug";
        await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "web-config", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "web-config", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(409, (int)error.Response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", error.Response.Content, StringComparison.Ordinal);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", error.Response.Content, StringComparison.Ordinal);
    }
}
