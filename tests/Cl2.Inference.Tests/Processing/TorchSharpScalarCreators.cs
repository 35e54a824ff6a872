using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// The TorchSharp methods that make a Scalar inside and drop it while libtorch may still read it, read from the IL of
/// the TorchSharp assembly the tests run with (so a TorchSharp upgrade brings its own list): a method that converts a
/// number to a Scalar (<c>Scalar.op_Implicit</c>, <c>ToScalar</c>, <c>Tensor.ToScalar()</c>) without disposing it, and
/// every method that calls one of those, transitively (<c>Tensor.add(Tensor)</c> → <c>add(other, 1)</c>,
/// <c>Tensor + Tensor</c> → <c>add(Tensor)</c>, <c>Modules.AdamW.step</c> → its per-group lambda).
/// Keyed by metadata token; each with the chain that explains it.
/// </summary>
internal sealed class TorchSharpScalarCreators
{
    /// <summary>Creations that depend on the arguments' run-time types, never ours: TorchScript converts only .NET
    /// number arguments (TorchScriptNetwork passes tensors) and hands a returned Scalar to its caller.</summary>
    private static readonly string[] ArgumentDependent = ["TorchSharp.torch.jit.ScriptModule.DetermineArgumentTypeRefs", "TorchSharp.torch.jit.ScriptModule.ProcessReturnValue"];

    private readonly Dictionary<int, string> _why;

    private TorchSharpScalarCreators(Dictionary<int, string> why) => _why = why;

    public int Count => _why.Count;

    /// <summary>Why the method with this TorchSharp metadata token leaves a Scalar to the finalizer, or null.</summary>
    public string? Why(int metadataToken) => _why.GetValueOrDefault(metadataToken);

    public static TorchSharpScalarCreators Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = metadata.MethodDefinitions.ToDictionary(handle => handle, handle => Name(metadata, handle));
        var byTypeAndName = metadata.MethodDefinitions.ToLookup(handle =>
            (metadata.GetMethodDefinition(handle).GetDeclaringType(), metadata.GetString(metadata.GetMethodDefinition(handle).Name)));

        var calls = new Dictionary<MethodDefinitionHandle, List<(MethodDefinitionHandle? Internal, string Name)>>();
        foreach (var handle in metadata.MethodDefinitions)
        {
            calls[handle] = [.. Callees(pe, metadata, handle, byTypeAndName)];
        }

        var why = new Dictionary<MethodDefinitionHandle, string>();
        foreach (var (method, callees) in calls)
        {
            var name = names[method];
            if (ReturnsTheScalar(name) || ArgumentDependent.Any(name.StartsWith) || callees.Any(callee => callee.Name == "TorchSharp.Scalar.Dispose"))
            {
                continue;
            }
            var created = callees.Where(callee => MakesScalar(callee.Name)).Select(callee => callee.Name.Replace("TorchSharp.", "", StringComparison.Ordinal)).Distinct().ToList();
            if (created.Count > 0)
            {
                why[method] = $"{Short(name)} makes a Scalar ({string.Join(", ", created)}) and drops it";
            }
        }
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (method, callees) in calls)
            {
                if (why.ContainsKey(method) || ReturnsTheScalar(names[method]))
                {
                    continue;
                }
                if (callees.FirstOrDefault(callee => callee.Internal is { } target && why.ContainsKey(target)).Internal is { } via)
                {
                    why[method] = $"{Short(names[method])} → {why[via]}";
                    changed = true;
                }
            }
        }
        return new TorchSharpScalarCreators(why.ToDictionary(pair => MetadataTokens.GetToken(pair.Key), pair => pair.Value));
    }

    /// <summary>The conversions themselves hand their Scalar to the caller, whose code the scan checks.</summary>
    private static bool ReturnsTheScalar(string name) =>
        name.StartsWith("TorchSharp.Scalar.", StringComparison.Ordinal) || name.StartsWith("TorchSharp.ScalarExtensionMethods.", StringComparison.Ordinal)
        || name == "TorchSharp.torch.Tensor.ToScalar";

    private static bool MakesScalar(string callee) => callee is "TorchSharp.Scalar.op_Implicit" or "TorchSharp.Scalar..ctor" or "TorchSharp.torch.Tensor.ToScalar"
        or "TorchSharp.ScalarExtensionMethods.ToScalar" or "TorchSharp.ScalarExtensionMethods.ToBFloat16Scalar";

    private static string Short(string name) => name.Replace("TorchSharp.", "", StringComparison.Ordinal);

    private static IEnumerable<(MethodDefinitionHandle?, string)> Callees(PEReader pe, MetadataReader metadata, MethodDefinitionHandle handle,
        ILookup<(TypeDefinitionHandle, string), MethodDefinitionHandle> byTypeAndName)
    {
        var definition = metadata.GetMethodDefinition(handle);
        if (definition.RelativeVirtualAddress == 0)
        {
            yield break;
        }
        var il = pe.GetMethodBody(definition.RelativeVirtualAddress).GetILReader();
        while (il.RemainingBytes > 0)
        {
            var code = il.ReadByte();
            var operand = (code == 0xFE ? TwoByte[il.ReadByte()] : OneByte[code]).OperandType;
            switch (operand)
            {
                case OperandType.InlineMethod or OperandType.InlineTok:
                    var token = MetadataTokens.EntityHandle(il.ReadInt32());
                    foreach (var callee in Resolve(metadata, token, byTypeAndName))
                    {
                        yield return callee;
                    }
                    break;
                case OperandType.InlineSwitch:
                    il.Offset += 4 * il.ReadInt32();
                    break;
                default:
                    il.Offset += OperandSize(operand);
                    break;
            }
        }
    }

    /// <summary>A called method: the definition inside TorchSharp (generic instances resolved by type and name), and its name.</summary>
    private static IEnumerable<(MethodDefinitionHandle?, string)> Resolve(MetadataReader metadata, EntityHandle token,
        ILookup<(TypeDefinitionHandle, string), MethodDefinitionHandle> byTypeAndName)
    {
        switch (token.Kind)
        {
            case HandleKind.MethodDefinition:
                var definition = (MethodDefinitionHandle)token;
                yield return (definition, Name(metadata, definition));
                break;
            case HandleKind.MethodSpecification:
                foreach (var callee in Resolve(metadata, metadata.GetMethodSpecification((MethodSpecificationHandle)token).Method, byTypeAndName))
                {
                    yield return callee;
                }
                break;
            case HandleKind.MemberReference:
                var reference = metadata.GetMemberReference((MemberReferenceHandle)token);
                var name = metadata.GetString(reference.Name);
                if (GenericDefinition(metadata, reference.Parent) is { } type)
                {
                    foreach (var candidate in byTypeAndName[(type, name)])
                    {
                        yield return (candidate, Name(metadata, candidate));
                    }
                }
                else
                {
                    yield return (null, $"{TypeName(metadata, reference.Parent)}.{name}");
                }
                break;
        }
    }

    private static TypeDefinitionHandle? GenericDefinition(MetadataReader metadata, EntityHandle parent)
    {
        if (parent.Kind != HandleKind.TypeSpecification)
        {
            return parent.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)parent : null;
        }
        var signature = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
        if (signature.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return null;
        }
        signature.ReadSignatureTypeCode();
        var generic = signature.ReadTypeHandle();
        return generic.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)generic : null;
    }

    private static string Name(MetadataReader metadata, MethodDefinitionHandle handle)
    {
        var method = metadata.GetMethodDefinition(handle);
        return $"{TypeName(metadata, method.GetDeclaringType())}.{metadata.GetString(method.Name)}";
    }

    private static string TypeName(MetadataReader metadata, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                var definition = metadata.GetTypeDefinition((TypeDefinitionHandle)handle);
                var declaring = definition.GetDeclaringType();
                return declaring.IsNil
                    ? Qualified(metadata.GetString(definition.Namespace), metadata.GetString(definition.Name))
                    : $"{TypeName(metadata, declaring)}.{metadata.GetString(definition.Name)}";
            case HandleKind.TypeReference:
                var reference = metadata.GetTypeReference((TypeReferenceHandle)handle);
                return reference.ResolutionScope.Kind == HandleKind.TypeReference
                    ? $"{TypeName(metadata, (EntityHandle)reference.ResolutionScope)}.{metadata.GetString(reference.Name)}"
                    : Qualified(metadata.GetString(reference.Namespace), metadata.GetString(reference.Name));
            default:
                return "";
        }
    }

    private static string Qualified(string space, string name) => space.Length == 0 ? name : $"{space}.{name}";

    private static readonly OpCode[] OneByte = OpCodeTable(size: 1);
    private static readonly OpCode[] TwoByte = OpCodeTable(size: 2);

    /// <summary>The IL opcodes of one size by their last byte, to step over each instruction's operand.</summary>
    private static OpCode[] OpCodeTable(int size)
    {
        var table = new OpCode[0x100];
        foreach (var code in typeof(OpCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(field => (OpCode)field.GetValue(null)!).Where(code => code.Size == size))
        {
            table[code.Value & 0xFF] = code;
        }
        return table;
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
