using System.Security.Cryptography;

namespace Cl2.Labeling.Database;

/// <summary>
/// A stream id made from a name and another stream's id (RFC 9562's version 8 layout over SHA-256), for a stream that
/// belongs to that one (a model's retraining policy, its feedback dataset): found without a lookup, and two writers
/// creating it at the same moment meet on one stream instead of making two.
/// </summary>
public static class NameBasedId
{
    public static Guid Of(string name, Guid owner)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(name), .. owner.ToByteArray()], hash);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16]);
    }
}
