using System.Runtime.InteropServices;

namespace Cl2.Dicom.Imaging;

/// <summary>The part of OpenJPEG's C API (Debian's libopenjp2-7, openjpeg.h of 2.5) that decoding from memory needs.</summary>
internal static unsafe partial class OpenJpeg
{
    private const string Library = "libopenjp2.so.7";

    internal const int CodecJ2K = 0;
    internal const int CodecJP2 = 2;

    /// <summary>opj_dparameters_t is about 8 KiB of paths and flags that we leave at their defaults; we only need room for it.</summary>
    internal const int DecoderParametersSize = 16 * 1024;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Image
    {
        public uint X0;
        public uint Y0;
        public uint X1;
        public uint Y1;
        public uint ComponentCount;
        public int ColorSpace;
        public ImageComponent* Components;
        public byte* IccProfile;
        public uint IccProfileLength;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct ImageComponent
    {
        public uint Dx;
        public uint Dy;
        public uint Width;
        public uint Height;
        public uint X0;
        public uint Y0;
        public uint Precision;
        public uint DeprecatedBitsPerPixel;
        public uint Signed;
        public uint ResolutionsDecoded;
        public uint Factor;
        public int* Data;
        public ushort Alpha;
    }

    /// <summary>What the read, skip and seek callbacks work through: the codestream, pinned for the whole decode.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MemoryStream
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    [LibraryImport(Library, EntryPoint = "opj_create_decompress")]
    internal static partial nint CreateDecompress(int format);

    [LibraryImport(Library, EntryPoint = "opj_set_default_decoder_parameters")]
    internal static partial void SetDefaultDecoderParameters(void* parameters);

    [LibraryImport(Library, EntryPoint = "opj_setup_decoder")]
    internal static partial int SetupDecoder(nint codec, void* parameters);

    [LibraryImport(Library, EntryPoint = "opj_set_error_handler")]
    internal static partial int SetErrorHandler(nint codec, delegate* unmanaged[Cdecl]<byte*, void*, void> handler, void* clientData);

    [LibraryImport(Library, EntryPoint = "opj_stream_create")]
    internal static partial nint StreamCreate(nuint bufferSize, int isInput);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_read_function")]
    internal static partial void StreamSetReadFunction(nint stream, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint> read);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_skip_function")]
    internal static partial void StreamSetSkipFunction(nint stream, delegate* unmanaged[Cdecl]<long, void*, long> skip);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_seek_function")]
    internal static partial void StreamSetSeekFunction(nint stream, delegate* unmanaged[Cdecl]<long, void*, int> seek);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_user_data")]
    internal static partial void StreamSetUserData(nint stream, void* data, nint free);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_user_data_length")]
    internal static partial void StreamSetUserDataLength(nint stream, ulong length);

    [LibraryImport(Library, EntryPoint = "opj_read_header")]
    internal static partial int ReadHeader(nint stream, nint codec, out Image* image);

    [LibraryImport(Library, EntryPoint = "opj_decode")]
    internal static partial int Decode(nint codec, nint stream, Image* image);

    [LibraryImport(Library, EntryPoint = "opj_end_decompress")]
    internal static partial int EndDecompress(nint codec, nint stream);

    [LibraryImport(Library, EntryPoint = "opj_image_destroy")]
    internal static partial void ImageDestroy(Image* image);

    [LibraryImport(Library, EntryPoint = "opj_stream_destroy")]
    internal static partial void StreamDestroy(nint stream);

    [LibraryImport(Library, EntryPoint = "opj_destroy_codec")]
    internal static partial void DestroyCodec(nint codec);

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    internal static nuint Read(void* buffer, nuint count, void* userData)
    {
        var stream = (MemoryStream*)userData;
        var left = stream->Length - stream->Position;
        if (left <= 0)
        {
            return unchecked((nuint)(-1));
        }
        var n = (long)Math.Min((ulong)left, count);
        Buffer.MemoryCopy(stream->Data + stream->Position, buffer, (long)count, n);
        stream->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    internal static long Skip(long count, void* userData)
    {
        var stream = (MemoryStream*)userData;
        var target = Math.Clamp(stream->Position + count, 0, stream->Length);
        var skipped = target - stream->Position;
        stream->Position = target;
        return skipped;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    internal static int Seek(long position, void* userData)
    {
        var stream = (MemoryStream*)userData;
        if (position < 0 || position > stream->Length)
        {
            return 0;
        }
        stream->Position = position;
        return 1;
    }

    /// <summary>Keeps the first error OpenJPEG reports, so that the exception can say why.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    internal static void OnError(byte* message, void* clientData)
    {
        var errors = (ErrorText*)clientData;
        if (errors->Length == 0 && message != null)
        {
            var length = 0;
            while (length < ErrorText.Capacity && message[length] != 0)
            {
                errors->Text[length] = message[length];
                length++;
            }
            errors->Length = length;
        }
    }

    internal struct ErrorText
    {
        public const int Capacity = 256;
        public int Length;
        public fixed byte Text[Capacity];

        public string Message()
        {
            fixed (byte* text = Text)
            {
                return new string((sbyte*)text, 0, Length).Trim();
            }
        }
    }
}
