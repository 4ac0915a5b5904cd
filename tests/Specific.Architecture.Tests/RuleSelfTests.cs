namespace Specific.Architecture.Tests;

/// <summary>The rules themselves, fed made-up graphs, so they are shown to catch what they should whatever src/ looks like.</summary>
public sealed class RuleSelfTests
{
    private static FolderEdge Edge(string from, string to) => new("P", from, to, $"src/P/{from}/X.cs: P.{from}.X uses P.{to}.Y");

    private static FolderEdge BotEdge(string from, string to) =>
        new(BotLayers.Project, from, to, $"src/{BotLayers.Project}/{from}/X.cs: uses {to}");

    [Fact]
    public void A_made_up_circle_of_three_folders_is_reported_with_its_edges_and_files()
    {
        var graph = new FolderGraph([Edge("A", "B"), Edge("B", "C"), Edge("C", "A"), Edge("C", "D"), Edge("D", "E")]);

        var circle = Assert.Single(graph.Circles());

        Assert.Equal(new[] { "A", "B", "C" }, circle);
        var message = graph.Describe("P", circle);
        Assert.Contains("A -> B -> C -> A", message, StringComparison.Ordinal);
        Assert.Contains("src/P/C/X.cs: P.C.X uses P.A.Y", message, StringComparison.Ordinal);
        Assert.DoesNotContain("C -> D", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_folders_that_import_each_other_are_a_circle()
    {
        var graph = new FolderGraph([Edge("A", "B"), Edge("B", "A")]);

        Assert.Equal(new[] { "A", "B" }, Assert.Single(graph.Circles()));
    }

    [Fact]
    public void A_made_up_graph_whose_edges_point_one_way_has_no_circle()
    {
        var graph = new FolderGraph([Edge("A", "B"), Edge("B", "C"), Edge("A", "C"), Edge("C", "C")]);

        Assert.Empty(graph.Circles());
    }

    [Fact]
    public void Layer_rule_reports_an_import_upwards_and_any_import_of_the_composition_root()
    {
        var violations = BotLayers.Violations(
            ["Hosting", "FrontDoor", "Commands", "Guardrails"],
            [BotEdge("Commands", "FrontDoor"), BotEdge("Guardrails", "Hosting"), BotEdge("Observability", "Hosting"), BotEdge("Hosting", "Commands")]);

        Assert.Equal(3, violations.Count);
        Assert.Contains(violations, v => v.Contains("Commands imports FrontDoor", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("Guardrails imports Hosting", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("Observability imports Hosting", StringComparison.Ordinal));
    }

    [Fact]
    public void Layer_rule_treats_a_layer_without_a_folder_as_empty()
    {
        var violations = BotLayers.Violations(
            ["Hosting", "Commands", "Threads", "Guardrails", "Observability"],
            [BotEdge("Hosting", "Commands"), BotEdge("Commands", "Threads"), BotEdge("Threads", "Guardrails"),
             BotEdge("Observability", "Commands"), BotEdge("Guardrails", "Observability")]);

        Assert.Empty(violations);
    }

    [Fact]
    public void Layer_rule_asks_for_a_place_for_a_folder_it_does_not_know()
    {
        var violation = Assert.Single(BotLayers.Violations(["Hosting", "Helpers"], []));

        Assert.Contains("the folder Helpers has no place in the layer order", violation, StringComparison.Ordinal);
    }
}
