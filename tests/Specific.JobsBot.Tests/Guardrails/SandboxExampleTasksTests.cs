using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>The sandbox's example policy (appsettings.Sandbox.json) is valid, and its saved tasks are the ones the README walks through.</summary>
public sealed class SandboxExampleTasksTests
{
    private static string ExamplePolicy([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "../../../src/Specific.JobsBot/appsettings.Sandbox.json"));

    [Fact]
    public void The_example_policy_validates_and_lets_only_saved_tasks_run_on_web_in_production()
    {
        var example = new ConfigurationBuilder().AddJsonFile(ExamplePolicy()).Build();
        using var host = new PolicyHost(example.AsEnumerable().Where(setting => setting.Value is not null).ToDictionary());

        Assert.NotNull(host.Options);
        Assert.Equal(["cache-clear", "greet", "report"], host.TaskCatalog.OfferedIn("web", "production").Select(task => task.Name));
        Assert.Equal(["drain"], host.TaskCatalog.OfferedIn("worker", "staging").Select(task => task.Name));
        Assert.Equal("Guardrails:Environments:production:Services:web:SavedTasksOnly", host.Policy.SavedTasksOnlyRule("production", "web"));
        Assert.Null(host.Policy.SavedTasksOnlyRule("production", "payments"));
        Assert.DoesNotContain(host.TaskCatalog.List(), task => task.Name == "migrate");
    }
}
