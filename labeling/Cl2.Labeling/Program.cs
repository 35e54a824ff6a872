using Cl2.Labeling;
using Cl2.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLabelingServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapLabelingEndpoints();
app.Run();

public partial class Program;
