using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Specific.Architecture.Tests;

/// <summary>Reads the metadata tokens (types, methods, fields) that a method body's IL instructions name.</summary>
internal static class IlTokens
{
    // Instructions whose 4-byte operand is a type, method or field token (ldstr and calli carry other tokens).
    private static readonly HashSet<ILOpCode> WithEntityToken =
    [
        ILOpCode.Jmp, ILOpCode.Call, ILOpCode.Callvirt, ILOpCode.Newobj, ILOpCode.Ldftn, ILOpCode.Ldvirtftn,
        ILOpCode.Cpobj, ILOpCode.Ldobj, ILOpCode.Stobj, ILOpCode.Castclass, ILOpCode.Isinst, ILOpCode.Unbox,
        ILOpCode.Unbox_any, ILOpCode.Box, ILOpCode.Newarr, ILOpCode.Ldelema, ILOpCode.Ldelem, ILOpCode.Stelem,
        ILOpCode.Ldfld, ILOpCode.Ldflda, ILOpCode.Stfld, ILOpCode.Ldsfld, ILOpCode.Ldsflda, ILOpCode.Stsfld,
        ILOpCode.Refanyval, ILOpCode.Mkrefany, ILOpCode.Ldtoken, ILOpCode.Initobj, ILOpCode.Constrained, ILOpCode.Sizeof,
    ];

    private static readonly HashSet<ILOpCode> WithOtherFourBytes = [ILOpCode.Ldc_i4, ILOpCode.Ldc_r4, ILOpCode.Ldstr, ILOpCode.Calli];

    private static readonly HashSet<ILOpCode> WithOneByte =
    [
        ILOpCode.Ldarg_s, ILOpCode.Ldarga_s, ILOpCode.Starg_s, ILOpCode.Ldloc_s, ILOpCode.Ldloca_s, ILOpCode.Stloc_s,
        ILOpCode.Ldc_i4_s, ILOpCode.Unaligned,
    ];

    private static readonly HashSet<ILOpCode> WithTwoBytes =
        [ILOpCode.Ldarg, ILOpCode.Ldarga, ILOpCode.Starg, ILOpCode.Ldloc, ILOpCode.Ldloca, ILOpCode.Stloc];

    public static List<EntityHandle> In(MethodBodyBlock body)
    {
        var tokens = new List<EntityHandle>();
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | il.ReadByte();
            }

            var opCode = (ILOpCode)code;
            if (WithEntityToken.Contains(opCode))
            {
                var offset = il.Offset;
                var token = il.ReadInt32();
                tokens.Add(TryEntity(token, out var handle)
                    ? handle
                    : throw new InvalidOperationException($"{opCode} at IL offset {offset} has the token 0x{token:x8}, which names no type, method or field."));
            }
            else if (opCode == ILOpCode.Switch)
            {
                // Read the count first: `Offset += 4 * ReadInt32()` would take Offset before the read moved it.
                var targets = il.ReadInt32();
                il.Offset += 4 * targets;
            }
            else
            {
                il.Offset += OperandSize(opCode);
            }
        }

        return tokens;
    }

    private static bool TryEntity(int token, out EntityHandle handle)
    {
        try
        {
            handle = MetadataTokens.EntityHandle(token);
            return true;
        }
        catch (ArgumentException)
        {
            handle = default;
            return false;
        }
    }

    private static int OperandSize(ILOpCode opCode) => opCode switch
    {
        _ when opCode.IsBranch() => opCode.GetBranchOperandSize(),
        _ when WithOneByte.Contains(opCode) => 1,
        _ when WithTwoBytes.Contains(opCode) => 2,
        _ when WithOtherFourBytes.Contains(opCode) => 4,
        ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8 => 8,
        _ => 0,
    };
}
