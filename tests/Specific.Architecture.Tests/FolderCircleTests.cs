namespace Specific.Architecture.Tests;

/// <summary>Rule b: the folders of a project import each other one way only.</summary>
public sealed class FolderCircleTests
{
    public static TheoryData<string> Projects => new(Repository.Projects);

    [Theory]
    [MemberData(nameof(Projects))]
    public void Folders_of_a_project_import_each_other_one_way_only(string project)
    {
        var dependencies = ProjectDependencies.Of(project);
        var graph = new FolderGraph(dependencies.Edges);

        var circles = graph.Circles();

        if (circles.Count > 0)
        {
            Assert.Fail(string.Join("\n\n", circles.Select(circle => graph.Describe(project, circle))));
        }
    }
}
