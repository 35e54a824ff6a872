using Cl2.Dicom.Tools;

namespace Cl2.Testing;

/// <summary>Runs `./cl2 dicom` in-process, capturing what it prints.</summary>
public static class DicomToolRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = DicomTool.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
