using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Cl2.Models.Synthetic;

/// <summary>
/// UIDs under the UUID-derived root 2.25 (PS3.5 §B.2): the decimal value of 128 bits of SHA-256 over a name, so the
/// same seed, case and role always give the same UID, and different ones practically never collide.
/// </summary>
public static class SyntheticUid
{
    public const string Root = "2.25";

    public static string For(string name)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("cl2-synthetic/" + name));
        // RFC 4122 version 4 / variant bits keep the number a valid UUID, as §B.2 asks.
        digest[6] = (byte)((digest[6] & 0x0F) | 0x40);
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80);
        var value = new BigInteger(digest.AsSpan(0, 16), isUnsigned: true, isBigEndian: true);
        return Root + "." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
