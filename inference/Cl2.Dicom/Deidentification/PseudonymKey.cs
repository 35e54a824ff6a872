using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Cl2.Dicom.Deidentification;

/// <summary>
/// The secret of one research dataset and what is derived from it with HMAC-SHA-256: the same original UID or patient
/// gives the same pseudonym everywhere in the dataset, a different secret gives unrelated ones, and without the secret a
/// pseudonym cannot be traced back. Each kind of value is hashed under its own prefix so that they never collide.
/// </summary>
public sealed class PseudonymKey
{
    /// <summary>Shorter secrets can be guessed by trying, which would undo the pseudonyms.</summary>
    public const int MinimumSecretBytes = 16;

    private readonly byte[] _secret;

    public PseudonymKey(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinimumSecretBytes)
        {
            throw new ArgumentException(
                $"the dataset secret has {secret.Length} bytes; give at least {MinimumSecretBytes} (e.g. 32 random bytes, base64)", nameof(secret));
        }
        this._secret = secret.ToArray();
    }

    public PseudonymKey(string secret)
        : this(Encoding.UTF8.GetBytes(secret ?? throw new ArgumentNullException(nameof(secret))))
    {
    }

    /// <summary>
    /// A UID under the 2.25 root (PS3.5 §B.2): the decimal of the first 128 bits of HMAC(secret, uid), so at most
    /// 44 characters and as unlikely to collide as a random UUID.
    /// </summary>
    public string MapUid(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var digest = Hash("uid", uid);
        var value = new BigInteger(digest.AsSpan(0, 16), isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A pseudonym for a patient when the caller has none of its own: ANON^&lt;hex&gt; and a 16-digit hex ID.</summary>
    public PatientPseudonym DerivePatient(string originalPatientId)
    {
        ArgumentNullException.ThrowIfNull(originalPatientId);
        var hex = Convert.ToHexString(Hash("patient", originalPatientId.Trim()).AsSpan(0, 8));
        return new PatientPseudonym("ANON^" + hex[..10], hex);
    }

    /// <summary>How many days (1 to 3650) the dates of a patient move back under the Modified Dates option.</summary>
    public int DateShiftDays(string pseudonymousPatientId)
    {
        ArgumentNullException.ThrowIfNull(pseudonymousPatientId);
        var digest = Hash("dates", pseudonymousPatientId);
        return 1 + (int)(BitConverter.ToUInt32(digest, 0) % 3650);
    }

    private byte[] Hash(string purpose, string value) => HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(purpose + ":" + value));
}

/// <summary>What replaces Patient's Name and Patient ID; the same patient must get the same pseudonym within a dataset.</summary>
public sealed record PatientPseudonym(string PatientName, string PatientId);
