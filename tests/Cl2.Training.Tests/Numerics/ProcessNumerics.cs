using System.Runtime.CompilerServices;
using Cl2.Models.Numerics;

namespace Cl2.Training.Tests.Numerics;

internal static class ProcessNumerics
{
    /// <summary>
    /// Decides this test process's numerics before any test touches libtorch, as every cl2 process does where libtorch
    /// starts, and says what was decided in the test log.
    /// </summary>
#pragma warning disable CA2255 // A test assembly is an application: its libtorch must be checked before the first test uses it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Decide()
    {
        var decision = NumericsSelfCheck.ForProcess(OneDnnModes.FromEnvironment());
        Console.WriteLine($"cl2 numerics: {decision.Summary}; self-check {decision.CheckMilliseconds:F0} ms");
    }
}
