namespace Specific.Architecture.Tests;

/// <summary>Rule c: the bot's folders import only the layers below them, and nothing imports the composition root.</summary>
public sealed class BotLayerTests
{
    [Fact]
    public void Bot_folders_import_only_folders_below_them()
    {
        var dependencies = ProjectDependencies.Of(BotLayers.Project);

        var violations = BotLayers.Violations(dependencies.Folders, dependencies.Edges);

        if (violations.Count > 0)
        {
            Assert.Fail(string.Join("\n\n", violations));
        }
    }
}
