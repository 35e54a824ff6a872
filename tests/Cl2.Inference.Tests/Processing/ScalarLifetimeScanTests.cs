using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// TorchSharp hands libtorch a Scalar's native pointer and does not keep the Scalar reachable during the call, so a
/// garbage collection meanwhile (the listener, the outbox, the background loader and other model runs allocate all the
/// time) may run its finalizer, which frees it while libtorch reads it: a wrong value, "Unknown scalar type", an assert
/// in Scalar.h, or a corrupted result. This scan compiles every project that runs TorchSharp arithmetic (Cl2.Models,
/// Cl2.Training, Cl2.Training.Cli, Cl2.Inference) and lists each place that leaves a Scalar to the finalizer while libtorch may read it:
/// <list type="bullet">
/// <item>a number converted to a Scalar, or a method returning a Scalar, outside a <c>using</c> declaration;</item>
/// <item>a call of a TorchSharp method that makes a Scalar inside and drops it (<see cref="TorchSharpScalarCreators"/>,
/// read from TorchSharp's IL: <c>Tensor + Tensor</c>, <c>add(x)</c>, operators with numbers, <c>square()</c>,
/// <c>ToSingle()</c>, <c>softplus</c>, …);</item>
/// <item>a TorchSharp module or optimizer made whose <c>forward</c> or <c>step</c> does that (BatchNorm, PReLU, Adam …).</item>
/// </list>
/// </summary>
public sealed class ScalarLifetimeScanTests
{
    /// <summary>Each project, its kind, and the global usings its SDK's ImplicitUsings gives it.</summary>
    private static readonly (string Folder, string Assembly, OutputKind Kind, string[] Usings)[] Projects =
    [
        ("training/Cl2.Models", "Cl2.Models", OutputKind.DynamicallyLinkedLibrary, []),
        ("training/Cl2.Training", "Cl2.Training", OutputKind.ConsoleApplication, ["Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"]),
        ("training/Cl2.Training.Cli", "Cl2.Training.Cli", OutputKind.ConsoleApplication, []),
        ("inference/Cl2.Inference", "Cl2.Inference", OutputKind.ConsoleApplication, ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
            "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"]),
    ];

    private static readonly string[] CommonUsings = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private const string PartialMethodWithoutItsGeneratedBody = "CS8795";

    private static readonly Lazy<TorchSharpScalarCreators> Creators = new(() => TorchSharpScalarCreators.Read(typeof(TorchSharp.Scalar).Assembly.Location));

    [Fact]
    public void torchsharp_methods_that_drop_a_scalar_inside_are_found_in_its_il()
    {
        // The ones the defect was seen in: if the IL reading missed these, it would miss the rest too.
        var tensor = typeof(TorchSharp.torch.Tensor);
        Assert.NotNull(Creators.Value.Why(tensor.GetMethod("add", [tensor])!.MetadataToken));
        Assert.NotNull(Creators.Value.Why(tensor.GetMethod("op_Addition", [tensor, tensor])!.MetadataToken));
        Assert.NotNull(Creators.Value.Why(typeof(TorchSharp.Modules.AdamW).GetMethod("step")!.MetadataToken));
        Assert.NotNull(Creators.Value.Why(typeof(TorchSharp.Modules.BatchNorm).GetMethod("forward")!.MetadataToken));
        // Overloads that take the caller's Scalar make none: they are what the scan tells to call instead.
        Assert.Null(Creators.Value.Why(tensor.GetMethod("add", [tensor, typeof(TorchSharp.Scalar)])!.MetadataToken));
        Assert.Null(Creators.Value.Why(tensor.GetMethod("mul", [typeof(TorchSharp.Scalar)])!.MetadataToken));
    }

    [Fact]
    public void the_scan_flags_exactly_the_dropped_scalars_of_a_sample_not_the_held_ones()
    {
        var source = CSharpSyntaxTree.ParseText("""
            using TorchSharp;
            using static TorchSharp.torch;
            public static class Sample
            {
                public static Tensor Held(Tensor a, Tensor b)
                {
                    using Scalar one = 1, half = 0.5, two = 2;
                    return a.add(b, one).mul(half).pow(two).negative().add(one, one) * half;
                }
                public static Tensor Sum(Tensor a, Tensor b) => a + b;
                public static Tensor Halved(Tensor a) => a.mul(0.5);
                public static Tensor Squared(Tensor a) => a.square();
                public static float Read(Tensor a) => a.ToSingle();
                public static nn.Module<Tensor, Tensor> Norm() => nn.BatchNorm2d(3);
            }
            """, ParseOptions, "Sample.cs");
        var compilation = Compile([source], "Sample", OutputKind.DynamicallyLinkedLibrary);
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));

        var lines = Findings(compilation.GetSemanticModel(source), "Sample.cs").Select(finding => finding.Split(':')[1]).ToList();

        Assert.Equal(["10", "11", "12", "13", "14"], lines);
    }

    [Theory]
    [InlineData("training/Cl2.Models")]
    [InlineData("training/Cl2.Training")]
    [InlineData("training/Cl2.Training.Cli")]
    [InlineData("inference/Cl2.Inference")]
    public void torchsharp_code_passes_libtorch_only_scalars_that_outlive_the_call(string project)
    {
        var (folder, assembly, kind, usings) = Projects.Single(candidate => candidate.Folder == project);
        var root = Path.Combine(Repository.Root, folder);
        var compilation = Compile(ProjectSources(root, usings), assembly, kind);
        // A file that does not compile here would hide what it calls: the scan must see every call resolved. Only the
        // bodies that source generators write (logging, P/Invoke, regular expressions: no TorchSharp) are missing here.
        var errors = compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.Id != PartialMethodWithoutItsGeneratedBody).Take(5).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var findings = compilation.SyntaxTrees.SelectMany(tree => Findings(compilation.GetSemanticModel(tree), $"{folder}/{Relative(root, tree.FilePath)}")).ToList();

        Assert.True(findings.Count == 0, $"{findings.Count} Scalars libtorch may read after they are freed:\n{string.Join("\n", findings)}");
    }

    private static IEnumerable<string> Findings(SemanticModel model, string file)
    {
        foreach (var node in model.SyntaxTree.GetRoot().DescendantNodes())
        {
            // The name in `a.b` reports the conversion of all of `a.b`: counted once, there.
            if (node.Parent is MemberAccessExpressionSyntax access && access.Name == node)
            {
                continue;
            }
            if (node is ExpressionSyntax expression && model.GetConversion(expression) is { IsUserDefined: true } conversion
                && IsScalar(conversion.MethodSymbol?.ReturnType) && !IsUsingDeclared(expression))
            {
                yield return At(file, node, "a number converted to a Scalar that nothing keeps alive: declare it `using Scalar name = …` before the call");
            }
            if (model.GetSymbolInfo(node).Symbol is not { } symbol || node is not (InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax
                or PrefixUnaryExpressionSyntax or BaseObjectCreationExpressionSyntax or MemberAccessExpressionSyntax or CastExpressionSyntax))
            {
                continue;
            }
            var method = symbol switch
            {
                IMethodSymbol called when node is not MemberAccessExpressionSyntax => called.ReducedFrom ?? called,
                IPropertySymbol { GetMethod: { } getter } when node is MemberAccessExpressionSyntax => getter,
                _ => null,
            };
            if (method is null || !IsTorchSharp(method))
            {
                continue;
            }
            if (node is InvocationExpressionSyntax && IsScalar(method.ReturnType) && !IsUsingDeclared((ExpressionSyntax)node))
            {
                yield return At(file, node, "a Scalar that nothing keeps alive: declare it `using Scalar name = …` before the call");
            }
            if (Creators.Value.Why(method.OriginalDefinition.MetadataToken) is { } why)
            {
                yield return At(file, node, $"{why}; instead: {Instead(method)}");
            }
            if (node is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax && Runs(method) is { } run
                && Creators.Value.Why(run.OriginalDefinition.MetadataToken) is { } runWhy)
            {
                yield return At(file, node, $"its {run.Name}: {runWhy}; instead: {Instead(run)}");
            }
        }
    }

    /// <summary>What to call instead, for the creators training and inference would reach for.</summary>
    private static string Instead(IMethodSymbol method) => (method.ContainingType.Name, method.Name) switch
    {
        (_, "add" or "add_") => $"{method.Name}(x, one) with `using Scalar one = 1`",
        (_, "op_Addition") when method.Parameters.All(parameter => parameter.Type.Name == "Tensor") => "a.add(b, one) with `using Scalar one = 1`",
        (_, "op_Subtraction") when IsScalar(method.Parameters[0].Type) || IsNumber(method.Parameters[0].Type) => "x.negative().add(s, one) with held Scalars s and one",
        (_, "op_Addition" or "op_Subtraction" or "op_Multiply" or "op_Division" or "op_Modulus") =>
            "the named method with a held Scalar (`using Scalar s = …; x.mul(s)`, `x.add(s, one)`, `x.sub(s)`, `x.div(s)`)",
        (_, "addcdiv" or "addcdiv_") => $"{method.Name}(a, b, value: held) with a held Scalar",
        (_, "square") => "x.pow(two) with `using Scalar two = 2`",
        (_, "softplus") => "the tensor form with held Scalars, as SegResNetVae computes it",
        (_, "arange") => "arange(start, stop, step) with held Scalars",
        (_, "ToSingle" or "ToDouble" or "ToInt32" or "ToInt64" or "ToBoolean" or "op_Explicit") => "item<T>() (reads the element with no Scalar)",
        ("BatchNorm" or "BatchNorm1d" or "BatchNorm2d" or "BatchNorm3d", _) => "Cl2.Models.Networks.HeldScalarBatchNorm",
        ("PReLU", _) or (_, "PReLU") => "Cl2.Models.Networks.HeldScalarPRelu",
        ("Adam" or "AdamW", _) => "HeldScalarAdam / HeldScalarAdamW (Training/Optimizers)",
        (_, "ToString" or "print" or "str" or "npstr" or "cstr" or "jlstr" or "metastr") => "format values read with data<T>()",
        _ => "an overload that takes a held Scalar (`using Scalar s = …`), or the same arithmetic with tensors",
    };

    /// <summary>What a TorchSharp module or optimizer that this constructor or factory makes runs each step: its forward, or its step.</summary>
    private static IMethodSymbol? Runs(IMethodSymbol method)
    {
        var made = method.MethodKind == MethodKind.Constructor ? method.ContainingType : method.IsStatic ? method.ReturnType as INamedTypeSymbol : null;
        return made is { TypeKind: TypeKind.Class } && made.ContainingAssembly?.Name == "TorchSharp" ? Overridden(made, "forward") ?? Overridden(made, "step") : null;
    }

    private static IMethodSymbol? Overridden(ITypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(candidate => !candidate.IsAbstract) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    private static bool IsTorchSharp(IMethodSymbol method) => method.ContainingAssembly?.Name == "TorchSharp";

    private static bool IsScalar(ITypeSymbol? type) => type?.ToDisplayString().TrimEnd('?') == "TorchSharp.Scalar";

    private static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16
        or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean;

    /// <summary><c>using Scalar name = expression;</c> or <c>using (Scalar name = expression)</c>: disposed, so kept alive, at the end of its scope.</summary>
    private static bool IsUsingDeclared(ExpressionSyntax expression) =>
        expression.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } }
        && (declaration.Parent is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: (int)SyntaxKind.UsingKeyword } or UsingStatementSyntax);

    private static string At(string file, SyntaxNode node, string why) =>
        $"{file}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: `{node}` — {why}";

    private static string Relative(string folder, string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>A project's sources and the global usings its SDK gives it.</summary>
    private static IEnumerable<SyntaxTree> ProjectSources(string folder, string[] usings)
    {
        var globalUsings = string.Join("\n", CommonUsings.Concat(usings).Select(name => $"global using {name};"));
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !Relative(folder, path).StartsWith("obj/", StringComparison.Ordinal) && !Relative(folder, path).StartsWith("bin/", StringComparison.Ordinal))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), ParseOptions, path))
            .Append(CSharpSyntaxTree.ParseText(globalUsings, ParseOptions, Path.Combine(folder, "obj", "ImplicitUsings.cs")));
    }

    /// <summary>Sources compiled against the assemblies this test runs with (TorchSharp, Cl2.Models, ASP.NET Core, the framework).</summary>
    private static CSharpCompilation Compile(IEnumerable<SyntaxTree> sources, string assembly, OutputKind kind)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) != $"{assembly}.dll")
            .Select(path => MetadataReference.CreateFromFile(path));
        return CSharpCompilation.Create(assembly, sources, references,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }
}
