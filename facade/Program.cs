var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/livez", () => Results.Ok());
app.Run();

/// <summary>Entry point; public so that tests can use WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;
