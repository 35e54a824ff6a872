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
/// socket that echoes, an early 413 for a large upload) and records what reached it, so a test can see what the gateway
/// forwarded.
/// </summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingBackend(WebApplication app, string name, int port)
    {
        this._app = app;
        Name = name;
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>A request that declares a longer body is answered 413 at once, its body unread.</summary>
    public const long EarlyRefusalBytes = 1 << 20;

    public string Name { get; }

    public Uri Address { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>What the gateway said about itself with each request: X-Forwarded-Proto://X-Forwarded-Host.</summary>
    public ConcurrentQueue<string> ForwardedHosts { get; } = new();

    /// <summary>The identity headers each request arrived with (<c>X-Cl2-*</c> and <c>Authorization</c>), as "Name: value".</summary>
    public ConcurrentQueue<string> IdentityHeaders { get; } = new();

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
        app.Map("/health/ready", () => Results.Text(
            """{"status":"Healthy","checks":[{"name":"self","status":"Healthy","description":"process is running"}]}""", "application/json"));
        app.Map("/{**path}", async context =>
        {
            backend.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            foreach (var (header, value) in context.Request.Headers.Where(header =>
                         header.Key.StartsWith("X-Cl2-", StringComparison.OrdinalIgnoreCase) || header.Key == "Authorization"))
            {
                backend.IdentityHeaders.Enqueue($"{header}: {value}");
            }
            backend.ForwardedHosts.Enqueue($"{context.Request.Headers["X-Forwarded-Proto"]}://{context.Request.Headers["X-Forwarded-Host"]}");
            if (context.Request.ContentLength > EarlyRefusalBytes)
            {
                // As labeling refuses an upload over its limit: from Content-Length, before reading a byte of the body.
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.Response.WriteAsync($"{name} refused {context.Request.ContentLength} bytes");
                return;
            }
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
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
