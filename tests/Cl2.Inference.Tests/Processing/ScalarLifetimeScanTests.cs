using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// TorchSharp hands libtorch a Scalar's native pointer and does not keep the Scalar reachable during the call, so a
/// garbage collection meanwhile may run its finalizer, which frees it while libtorch reads it: a wrong value, "Unknown
/// scalar type", or a corrupted native heap. Inference runs models while its listener, outbox and HTTP clients allocate,
/// so every Scalar a model run's pre- and postprocessing passes must be a named one (<c>using Scalar x = …</c>) that lives
/// past the call. This scan compiles Cl2.Models and lists, in the files a model run goes through (Inference/, Workloads/,
/// the normalisation and resampling transforms), each place that makes a Scalar nothing keeps alive:
/// <list type="bullet">
/// <item>a number converted to a Scalar outside a <c>using</c> declaration;</item>
/// <item>a Tensor operator with a number operand: TorchSharp converts the number inside (its Tensor.Operators.cs);</item>
/// <item>Tensor <c>+</c>, <c>add(x)</c>, <c>add_(x)</c> and Scalar − Tensor: TorchSharp adds with an implicit alpha of 1
/// (its Tensor.Math.cs; <c>add(x, alpha)</c> with a named Scalar is the safe form).</item>
/// </list>
/// </summary>
public sealed class ScalarLifetimeScanTests
{
    private static readonly string[] Scanned = ["Inference/", "Workloads/", "Transforms/NormaliseIntensity.cs", "Transforms/Resample.cs"];

    /// <summary>The global usings the SDK's ImplicitUsings gives every project here.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void the_model_run_path_passes_libtorch_only_scalars_that_outlive_the_call()
    {
        var folder = Path.Combine(Repository.Root, "training", "Cl2.Models");
        var compilation = Compile(folder);
        var scanned = compilation.SyntaxTrees.Where(tree => Scanned.Any(prefix => Relative(folder, tree.FilePath).StartsWith(prefix, StringComparison.Ordinal))).ToList();
        Assert.True(scanned.Count > 5, $"only {scanned.Count} files scanned under {folder}");
        // A file that does not compile here would hide what it calls: the scan must see every call resolved.
        var errors = compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).Take(5).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var findings = scanned.SelectMany(tree => Findings(compilation.GetSemanticModel(tree), Relative(folder, tree.FilePath))).ToList();

        Assert.True(findings.Count == 0, $"{findings.Count} Scalars libtorch may read after they are freed:\n{string.Join("\n", findings)}");
    }

    private static IEnumerable<string> Findings(SemanticModel model, string file)
    {
        foreach (var node in model.SyntaxTree.GetRoot().DescendantNodes())
        {
            if (node is ExpressionSyntax expression && model.GetConversion(expression) is { IsUserDefined: true } conversion
                && IsScalar(conversion.MethodSymbol?.ReturnType) && !IsUsingDeclared(expression))
            {
                yield return At(file, node, "a number converted to a Scalar that nothing keeps alive: declare it `using Scalar name = …` before the call");
            }
            if (node is not (InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax)
                || model.GetSymbolInfo(node).Symbol is not IMethodSymbol method || method.ContainingType?.ToDisplayString() != "TorchSharp.torch.Tensor")
            {
                continue;
            }
            if (method.MethodKind == MethodKind.UserDefinedOperator)
            {
                if (method.Name == WellKnownMemberNames.AdditionOperatorName)
                {
                    yield return At(file, node, "Tensor +: TorchSharp adds with an implicit alpha Scalar; use add(x, one) with a named Scalar one");
                }
                else if (method.Parameters.Any(parameter => IsNumber(parameter.Type)))
                {
                    yield return At(file, node, "a Tensor operator with a number: TorchSharp converts it to a Scalar inside; pass a named Scalar");
                }
                else if (method.Name == WellKnownMemberNames.SubtractionOperatorName && IsScalar(method.Parameters[0].Type))
                {
                    yield return At(file, node, "Scalar − Tensor: TorchSharp adds with an implicit alpha Scalar; use x.neg().add(s, one)");
                }
            }
            else if (method.Name is "add" or "add_" && method.Parameters.Length == 1)
            {
                yield return At(file, node, $"{method.Name}(x): TorchSharp adds with an implicit alpha Scalar; use {method.Name}(x, one) with a named Scalar one");
            }
        }
    }

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

    /// <summary>Cl2.Models from its sources, against the assemblies this test runs with (TorchSharp, Cl2.Dicom, the framework).</summary>
    private static CSharpCompilation Compile(string folder)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !Relative(folder, path).StartsWith("obj/", StringComparison.Ordinal) && !Relative(folder, path).StartsWith("bin/", StringComparison.Ordinal))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), options, path))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, options, Path.Combine(folder, "obj", "ImplicitUsings.cs")));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) != "Cl2.Models.dll")
            .Select(path => MetadataReference.CreateFromFile(path));
        return CSharpCompilation.Create("Cl2.Models", sources, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }
}
