using Cl2.Gateway;
using Cl2.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGatewayEndpoints();
app.Run();

public partial class Program;
