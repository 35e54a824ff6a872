using Cl2.Inference;
using Cl2.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInferenceServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapInferenceEndpoints();
app.Run();

public partial class Program;
