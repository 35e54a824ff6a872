using Cl2.ServiceDefaults;
using Cl2.Training;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddTrainingServices();

builder.Build().Run();
