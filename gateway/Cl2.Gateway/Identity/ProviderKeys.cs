using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Cl2.Gateway.Identity;

/// <summary>
/// The provider's keys, kept as files in <see cref="IdentityProviderOptions.KeysPath"/> so that a restart keeps every
/// issued token valid. Rotation: put a new <c>signing-*.pem</c> beside the old one (or delete all and restart to have one
/// made): the newest by name signs from the next start, the older ones stay in the JWKS until removed, which is safe once
/// the longest-lived token they signed has expired (docs/security.md).
/// </summary>
public sealed record ProviderKeys(IReadOnlyList<RsaSecurityKey> Signing, SymmetricSecurityKey Encryption)
{
    public const string SigningPattern = "signing-*.pem";
    public const string EncryptionFile = "encryption.key";

    public static ProviderKeys LoadOrCreate(string folder, TimeProvider time)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (Directory.GetFiles(folder, SigningPattern).Length == 0)
        {
            using var rsa = RSA.Create(2048);
            WritePrivate(Path.Combine(folder, $"signing-{time.GetUtcNow():yyyyMMddHHmmss}.pem"), rsa.ExportPkcs8PrivateKeyPem());
        }
        var encryptionPath = Path.Combine(folder, EncryptionFile);
        if (!File.Exists(encryptionPath))
        {
            WritePrivate(encryptionPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }
        var signing = Directory.GetFiles(folder, SigningPattern)
            .OrderByDescending(path => Path.GetFileName(path), StringComparer.Ordinal)
            .Select(path =>
            {
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportFromPem(File.ReadAllText(path));
                }
                catch (ArgumentException exception)
                {
                    throw new InvalidOperationException($"{path} is not an RSA private key in PEM; replace it (openssl genpkey -algorithm RSA) or delete it to have one made.", exception);
                }
                return new RsaSecurityKey(rsa) { KeyId = Path.GetFileNameWithoutExtension(path) };
            })
            .ToList();
        return new(signing, new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(encryptionPath).Trim())));
    }

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new FileStream(path, options);
        using var writer = new StreamWriter(file);
        writer.Write(text);
    }
}
