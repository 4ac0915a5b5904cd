namespace Specific.Architecture.Tests;

/// <summary>The compiled-reference reader finds uses that hide in lambdas, async methods and locals, and names their file.</summary>
public sealed class CompiledReferenceSelfTests
{
    private const string Project = "Specific.Architecture.Tests";

    [Fact]
    public void Uses_inside_lambdas_async_methods_and_signatures_are_edges_named_by_file()
    {
        var (folders, edges) = CompiledReferences.Read(Project, typeof(CompiledReferenceSelfTests).Assembly.Location);

        Assert.Contains("SampleUpstairs", folders);
        var upstairs = edges.Where(edge => edge is { From: "SampleUpstairs", To: "SampleDownstairs" }).Select(edge => edge.Evidence).ToList();
        Assert.Contains(
            "tests/Specific.Architecture.Tests/CompiledReferenceSamples.cs: " +
            "Specific.Architecture.Tests.SampleUpstairs.Caller uses Specific.Architecture.Tests.SampleDownstairs.Counted",
            upstairs);
        Assert.Contains(upstairs, use => use.EndsWith("Caller uses Specific.Architecture.Tests.SampleDownstairs.Lent", StringComparison.Ordinal));
        Assert.Contains(upstairs, use => use.EndsWith("Caller uses Specific.Architecture.Tests.SampleDownstairs.Awaited", StringComparison.Ordinal));
        Assert.DoesNotContain(edges, edge => edge is { From: "SampleDownstairs", To: "SampleUpstairs" });
    }
}
