using System.Runtime.InteropServices;
using Cl2.Dicom.Tools;

// Ctrl-C (SIGINT) and SIGTERM end a running command gracefully: an SCP stops listening, an SCU aborts its association.
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});
return DicomTool.Run(args, Console.Out, Console.Error, stopping.Token);
