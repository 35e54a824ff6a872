using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cl2.Gateway.Tests;

/// <summary>
/// A Kestrel server on a free port that answers like a cl2 backend (liveness, any path, a graphql-transport-ws
/// socket that echoes) and records what reached it, so a test can see what the gateway forwarded.
/// </summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private readonly WebApplication app;

    private RecordingBackend(WebApplication app, string name, int port)
    {
        this.app = app;
        Name = name;
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Name { get; }

    public Uri Address { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<RecordingBackend> StartAsync(string name)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new RecordingBackend(app, name, port);
        app.UseWebSockets();
        app.Map("/health/live", () => Results.Ok());
        app.Map("/{**path}", async context =>
        {
            backend.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (context.WebSockets.IsWebSocketRequest)
            {
                await backend.EchoAsync(context);
                return;
            }
            await context.Response.WriteAsync($"{name} answered {context.Request.Path}");
        });
        await app.StartAsync();
        return backend;
    }

    private async Task EchoAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync(context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault());
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
        await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, context.RequestAborted);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, $"{Name} done", context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
