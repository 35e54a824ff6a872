namespace Cl2.Models.Numerics;

/// <summary>
/// libtorch computes wrong values on this CPU even with oneDNN off (or with oneDNN forced on): training or inference
/// here would produce garbage, so the process refuses to.
/// </summary>
public sealed class NumericsCheckFailedException(string message) : Exception(message)
{
    public const string Code = "NUMERICS_CHECK_FAILED";
}
