using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Specific.Architecture.Tests;

/// <summary>Collects the assembly's own types that a signature, attribute, constraint or IL token names.</summary>
/// <remarks>Types of other assemblies are left out: folders are compared within one project only.</remarks>
internal sealed class TypeCollector(MetadataReader metadata) : ISignatureTypeProvider<bool, object?>
{
    public HashSet<TypeDefinitionHandle> Found { get; } = [];

    public void AddEntity(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                Found.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                metadata.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                break;
            case HandleKind.MethodDefinition:
                Found.Add(metadata.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                Found.Add(metadata.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                AddEntity(metadata.GetMemberReference((MemberReferenceHandle)handle).Parent);
                break;
            case HandleKind.MethodSpecification:
                var specification = metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddEntity(specification.Method);
                specification.DecodeSignature(this, null);
                break;
            default:
                break;
        }
    }

    public void AddAttributes(CustomAttributeHandleCollection attributes)
    {
        foreach (var attribute in attributes)
        {
            AddEntity(metadata.GetCustomAttribute(attribute).Constructor);
        }
    }

    public void AddConstraints(GenericParameterHandleCollection parameters)
    {
        foreach (var parameter in parameters)
        {
            foreach (var constraint in metadata.GetGenericParameter(parameter).GetConstraints())
            {
                AddEntity(metadata.GetGenericParameterConstraint(constraint).Type);
            }
        }
    }

    public bool GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        Found.Add(handle);
        return true;
    }

    public bool GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => true;

    public bool GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => true;

    public bool GetSZArrayType(bool elementType) => true;

    public bool GetArrayType(bool elementType, ArrayShape shape) => true;

    public bool GetByReferenceType(bool elementType) => true;

    public bool GetPointerType(bool elementType) => true;

    public bool GetPinnedType(bool elementType) => true;

    public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => true;

    public bool GetGenericMethodParameter(object? genericContext, int index) => true;

    public bool GetGenericTypeParameter(object? genericContext, int index) => true;

    public bool GetFunctionPointerType(MethodSignature<bool> signature) => true;

    public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => true;
}
