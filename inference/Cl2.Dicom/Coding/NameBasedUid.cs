using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Cl2.Dicom.Coding;

/// <summary>
/// UIDs under the UUID-derived root 2.25 (PS3.5 §B.2) made from a name: the decimal of 128 bits of SHA-256 over it, with
/// the RFC 4122 version and variant bits set. The same name always gives the same UID, so a result object written again
/// from the same inputs (study, model version, output kind) keeps its SOP Instance UID.
/// </summary>
public static class NameBasedUid
{
    public static string For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("cl2/" + name));
        digest[6] = (byte)((digest[6] & 0x0F) | 0x40);
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80);
        var value = new BigInteger(digest.AsSpan(0, 16), isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }
}
