using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Specific.Architecture.Tests;

/// <summary>Rule d: the stand-ins judge the bot from outside, so Specific.Sandbox never references the bot's projects.</summary>
public sealed class StandInIsolationTests
{
    private const string StandIns = "Specific.Sandbox";

    private static readonly string[] BotProjects = ["Specific.Jobs", "Specific.JobsBot", "Specific.Slack"];

    private const string WhatToDo =
        "What to do: the stand-ins must speak Slack's, Kubernetes' and Temporal's protocols on their own; copy the small piece " +
        "they need into Specific.Sandbox instead of referencing the bot's code.";

    [Fact]
    public void Sandbox_project_file_references_none_of_the_bot_projects()
    {
        var referenced = XDocument.Load(Repository.ProjectFile(StandIns))
            .Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(((string?)reference.Attribute("Include") ?? "").Replace('\\', '/')))
            .Intersect(BotProjects, StringComparer.Ordinal)
            .ToList();

        if (referenced.Count > 0)
        {
            Assert.Fail($"src/{StandIns}/{StandIns}.csproj has a ProjectReference to {string.Join(", ", referenced)}. {WhatToDo}");
        }
    }

    [Fact]
    public void Sandbox_assembly_references_none_of_the_bot_assemblies()
    {
        using var stream = File.OpenRead(Repository.CompiledAssembly(StandIns));
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();

        var referenced = metadata.AssemblyReferences
            .Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))
            .Intersect(BotProjects, StringComparer.Ordinal)
            .ToList();

        if (referenced.Count > 0)
        {
            Assert.Fail($"The compiled {StandIns}.dll references {string.Join(", ", referenced)}. {WhatToDo}");
        }
    }
}
