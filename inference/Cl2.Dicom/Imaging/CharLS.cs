using System.Runtime.InteropServices;

namespace Cl2.Dicom.Imaging;

/// <summary>The part of CharLS's C API (Debian's libcharls2, charls/charls_jpegls_decoder.h) that decoding needs.</summary>
internal static partial class CharLS
{
    private const string Library = "libcharls.so.2";

    [StructLayout(LayoutKind.Sequential)]
    internal struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    internal enum InterleaveMode
    {
        None = 0,
        Line = 1,
        Sample = 2,
    }

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_create")]
    internal static partial nint DecoderCreate();

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_destroy")]
    internal static partial void DecoderDestroy(nint decoder);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_set_source_buffer")]
    internal static unsafe partial int SetSourceBuffer(nint decoder, byte* source, nuint length);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_read_header")]
    internal static partial int ReadHeader(nint decoder);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_frame_info")]
    internal static partial int GetFrameInfo(nint decoder, out FrameInfo frameInfo);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_interleave_mode")]
    internal static partial int GetInterleaveMode(nint decoder, out InterleaveMode mode);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_destination_size")]
    internal static partial int GetDestinationSize(nint decoder, uint stride, out nuint size);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_decode_to_buffer")]
    internal static unsafe partial int DecodeToBuffer(nint decoder, byte* destination, nuint size, uint stride);

    [LibraryImport(Library, EntryPoint = "charls_get_error_message")]
    internal static partial nint GetErrorMessage(int error);

    internal static void Check(int error, string step)
    {
        if (error != 0)
        {
            var message = Marshal.PtrToStringUTF8(GetErrorMessage(error)) ?? "unknown error";
            throw new PixelDataException($"JPEG-LS {step} failed: {message} (CharLS error {error})");
        }
    }
}
