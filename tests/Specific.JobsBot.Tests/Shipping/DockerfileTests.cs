namespace Specific.JobsBot.Tests.Shipping;

/// <summary>
/// The Dockerfile's shape, read as text: there is no Docker engine on these machines, so the image itself is never built here.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string[] Lines = RepositoryFiles.Read("Dockerfile").Split('\n')
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .ToArray();

    [Fact]
    public void It_builds_with_the_SDK_and_runs_on_the_ASP_NET_runtime_image()
    {
        var stages = Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stages.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", stages[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", stages[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_runtime_stage_runs_as_a_non_root_user_with_one_entry_point_for_both_roles()
    {
        var runtime = Lines.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet", StringComparison.Ordinal)).ToList();
        var user = Assert.Single(runtime, l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Specific.JobsBot.dll\"]", runtime);
    }

    [Fact]
    public void No_secret_is_baked_into_the_image()
    {
        Assert.DoesNotContain(Lines, l => (l.StartsWith("ENV ", StringComparison.Ordinal) || l.StartsWith("ARG ", StringComparison.Ordinal))
            && (l.Contains("Token", StringComparison.OrdinalIgnoreCase) || l.Contains("Secret", StringComparison.OrdinalIgnoreCase)
                || l.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) || l.Contains("Password", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void The_Dockerfile_restores_and_publishes_without_the_sandbox()
    {
        var commands = ImageBuildStage.DotnetCommands;
        Assert.Contains(commands, command => command.StartsWith("dotnet restore ", StringComparison.Ordinal));
        Assert.Contains(commands, command => command.StartsWith("dotnet publish ", StringComparison.Ordinal));
        // The switch on restore too: restoring with the sandbox would pull its packages into the publish's assets.
        Assert.All(commands, command => Assert.Contains(" /p:Sandbox=false", command, StringComparison.Ordinal));
    }
}
