using Cl2.Dicom.Tools;

return DicomTool.Run(args, Console.Out, Console.Error);
