using System.Collections.Frozen;

namespace Cl2.Dicom.Imaging;

/// <summary>The codecs by transfer syntax UID. <see cref="Default"/> knows every syntax this toolkit decodes.</summary>
public sealed class PixelDataCodecs
{
    private readonly FrozenDictionary<string, IPixelDataCodec> _byUid;

    public PixelDataCodecs(IEnumerable<IPixelDataCodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        var map = new Dictionary<string, IPixelDataCodec>(StringComparer.Ordinal);
        foreach (var codec in codecs)
        {
            foreach (var uid in codec.TransferSyntaxUids)
            {
                if (!map.TryAdd(uid, codec))
                {
                    throw new ArgumentException($"two codecs claim transfer syntax {uid}", nameof(codecs));
                }
            }
        }
        _byUid = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static PixelDataCodecs Default { get; } = new(
    [
        new NativeCodec(),
        new RleCodec(),
        new JpegCodec(),
        new JpegLsCodec(),
        new Jpeg2000Codec(),
    ]);

    public IEnumerable<string> TransferSyntaxUids => _byUid.Keys;

    public bool TryGet(string transferSyntaxUid, out IPixelDataCodec codec) =>
        _byUid.TryGetValue(transferSyntaxUid, out codec!);

    public IPixelDataCodec Get(string transferSyntaxUid) => TryGet(transferSyntaxUid, out var codec)
        ? codec
        : throw new PixelDataException($"no codec decodes transfer syntax {DicomUids.Find(transferSyntaxUid)?.Name ?? transferSyntaxUid} ({transferSyntaxUid})");
}
