using Cl2.Training.Cli;

return TrainingTool.Run(args, Console.Out, Console.Error);
