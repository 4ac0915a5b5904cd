using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Specific.Architecture.Tests;

/// <summary>Reads which folders a project's compiled types use: signatures, attributes, constraints and IL of every method.</summary>
/// <remarks>
/// The compiled code, not the using lines, says what a type really uses (a fully qualified name needs no using).
/// Constants are inlined by the compiler and leave no trace here, which is why <see cref="UsingDirectives"/> adds its edges too.
/// The PDB beside the assembly names the file of each use.
/// </remarks>
internal static class CompiledReferences
{
    public static (IReadOnlySet<string> Folders, IReadOnlyList<FolderEdge> Edges) Read(string project, string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        pe.TryOpenAssociatedPortablePdb(assemblyPath, path => File.Exists(path) ? File.OpenRead(path) : null, out var pdbProvider, out _);
        using (pdbProvider)
        {
            var files = new SourceFiles(metadata, pdbProvider?.GetMetadataReader());
            var folders = new HashSet<string>(StringComparer.Ordinal);
            var edges = new List<FolderEdge>();
            foreach (var handle in metadata.TypeDefinitions)
            {
                var user = Outermost(metadata, handle);
                var from = Folders.Of(project, metadata.GetString(metadata.GetTypeDefinition(user).Namespace));
                if (from is null)
                {
                    continue;
                }

                folders.Add(from);
                var type = metadata.GetTypeDefinition(handle);
                var typeLevel = new TypeCollector(metadata);
                AddTypeLevelUses(metadata, type, typeLevel);
                AddEdges(project, metadata, user, from, typeLevel, files.OfType(user), edges);
                foreach (var method in type.GetMethods())
                {
                    var uses = new TypeCollector(metadata);
                    try
                    {
                        AddMethodUses(metadata, pe, metadata.GetMethodDefinition(method), uses);
                    }
                    catch (Exception e) when (e is InvalidOperationException or ArgumentException or BadImageFormatException)
                    {
                        var name = metadata.GetString(metadata.GetMethodDefinition(method).Name);
                        throw new InvalidOperationException($"Could not read {FullName(metadata, handle)}.{name} in {assemblyPath}: {e.Message}", e);
                    }
                    AddEdges(project, metadata, user, from, uses, files.OfMethod(method) ?? files.OfType(user), edges);
                }
            }

            return (folders, edges);
        }
    }

    private static void AddTypeLevelUses(MetadataReader metadata, TypeDefinition type, TypeCollector uses)
    {
        uses.AddEntity(type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            uses.AddEntity(metadata.GetInterfaceImplementation(implementation).Interface);
        }

        uses.AddAttributes(type.GetCustomAttributes());
        uses.AddConstraints(type.GetGenericParameters());
        foreach (var handle in type.GetFields())
        {
            var field = metadata.GetFieldDefinition(handle);
            field.DecodeSignature(uses, null);
            uses.AddAttributes(field.GetCustomAttributes());
        }

        foreach (var handle in type.GetProperties())
        {
            var property = metadata.GetPropertyDefinition(handle);
            property.DecodeSignature(uses, null);
            uses.AddAttributes(property.GetCustomAttributes());
        }

        foreach (var handle in type.GetEvents())
        {
            var @event = metadata.GetEventDefinition(handle);
            uses.AddEntity(@event.Type);
            uses.AddAttributes(@event.GetCustomAttributes());
        }
    }

    private static void AddMethodUses(MetadataReader metadata, PEReader pe, MethodDefinition method, TypeCollector uses)
    {
        method.DecodeSignature(uses, null);
        uses.AddAttributes(method.GetCustomAttributes());
        uses.AddConstraints(method.GetGenericParameters());
        foreach (var parameter in method.GetParameters())
        {
            uses.AddAttributes(metadata.GetParameter(parameter).GetCustomAttributes());
        }

        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        var body = pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            metadata.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(uses, null);
        }

        foreach (var region in body.ExceptionRegions)
        {
            uses.AddEntity(region.CatchType);
        }

        foreach (var token in IlTokens.In(body))
        {
            uses.AddEntity(token);
        }
    }

    private static void AddEdges(
        string project, MetadataReader metadata, TypeDefinitionHandle user, string from, TypeCollector uses, string file, List<FolderEdge> edges)
    {
        foreach (var used in uses.Found.Select(handle => Outermost(metadata, handle)).Distinct())
        {
            var to = Folders.Of(project, metadata.GetString(metadata.GetTypeDefinition(used).Namespace));
            if (to is not null && to != from)
            {
                edges.Add(new FolderEdge(project, from, to, $"{file}: {FullName(metadata, user)} uses {FullName(metadata, used)}"));
            }
        }
    }

    // Lambdas, async state machines and nested types belong to the type the programmer wrote around them.
    private static TypeDefinitionHandle Outermost(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        while (metadata.GetTypeDefinition(handle).GetDeclaringType() is { IsNil: false } declaring)
        {
            handle = declaring;
        }

        return handle;
    }

    private static string FullName(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        var type = metadata.GetTypeDefinition(handle);
        return $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}";
    }

    /// <summary>Names the source file of a method, or of a type (its first hand-written method's file), from the PDB.</summary>
    private sealed class SourceFiles
    {
        // The Portable PDB's "TypeDefinitionDocuments" custom debug information.
        private static readonly Guid TypeDefinitionDocuments = new("932E74BC-DBA9-4478-8D46-0F32A7BAB3D3");

        private readonly MetadataReader _metadata;
        private readonly MetadataReader? _pdb;
        private readonly Dictionary<TypeDefinitionHandle, string> _typeFiles = [];

        public SourceFiles(MetadataReader metadata, MetadataReader? pdb)
        {
            _metadata = metadata;
            _pdb = pdb;
            foreach (var method in metadata.MethodDefinitions)
            {
                var owner = Outermost(metadata, metadata.GetMethodDefinition(method).GetDeclaringType());
                if (OfMethod(method) is { } file && !IsGenerated(file))
                {
                    _typeFiles.TryAdd(owner, file);
                }
            }

            AddBodilessTypes();
        }

        // Types without a method body (interfaces, enums, delegates) are named only in the PDB's type-documents record.
        private void AddBodilessTypes()
        {
            if (_pdb is null)
            {
                return;
            }

            foreach (var handle in _pdb.CustomDebugInformation)
            {
                var record = _pdb.GetCustomDebugInformation(handle);
                if (record.Parent.Kind != HandleKind.TypeDefinition || _pdb.GetGuid(record.Kind) != TypeDefinitionDocuments)
                {
                    continue;
                }

                var owner = Outermost(_metadata, (TypeDefinitionHandle)record.Parent);
                var documents = _pdb.GetBlobReader(record.Value);
                while (documents.RemainingBytes > 0)
                {
                    var document = MetadataTokens.DocumentHandle(documents.ReadCompressedInteger());
                    var file = Repository.Relative(_pdb.GetString(_pdb.GetDocument(document).Name));
                    if (!IsGenerated(file))
                    {
                        _typeFiles.TryAdd(owner, file);
                    }
                }
            }
        }

        public string OfType(TypeDefinitionHandle type) =>
            _typeFiles.TryGetValue(type, out var file) ? file : $"(no source file in the PDB for {FullName(_metadata, type)})";

        public string? OfMethod(MethodDefinitionHandle method)
        {
            if (_pdb is null)
            {
                return null;
            }

            var debug = _pdb.GetMethodDebugInformation(method.ToDebugInformationHandle());
            var document = debug.Document;
            if (document.IsNil && !debug.SequencePointsBlob.IsNil)
            {
                document = debug.GetSequencePoints().Select(point => point.Document).FirstOrDefault(d => !d.IsNil);
            }

            return document.IsNil ? null : Repository.Relative(_pdb.GetString(_pdb.GetDocument(document).Name));
        }

        // Source generators' files (logging, regex, JSON) are named in the PDB but never written beside the code.
        private static bool IsGenerated(string file) =>
            file.Contains("/obj/", StringComparison.Ordinal) || !File.Exists(Path.Combine(Repository.Root, file));
    }
}
