using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cl2.EndToEnd.Demo;

/// <summary>
/// <c>./cl2 demo --quick --record FILE</c> run once as a person runs it (the script as a process, on what the test run
/// built): once it says the platform runs until Enter, the model's versions are read back through the demo's gateway as
/// the ML engineer, then Enter is pressed and the exit code kept. <see cref="Record"/> is what the demo's simulated people
/// submitted on its one workload, with the ids labeling answered them.
/// </summary>
public sealed partial class QuickDemoRun : IAsyncLifetime
{
    private const string Holding = "The platform runs until you press Enter";
    private readonly string _folder = Directory.CreateTempSubdirectory("cl2-demo-test-").FullName;
    private readonly StringBuilder _output = new();

    public int ExitCode { get; private set; } = -1;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public JsonElement Record { get; private set; }

    /// <summary>The model's versions as labeling answered while the demo's platform ran: number, lineage, evaluation.</summary>
    public IReadOnlyList<JsonElement> Versions { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var record = Path.Combine(_folder, "record.json");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in new[] { Repository.Script, "demo", "--quick", "--record", record })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CL2_SKIP_SETUP"] = "1";
        start.Environment["CL2_CONFIGURATION"] = Repository.Configuration;
        using var demo = Process.Start(start)!;
        demo.OutputDataReceived += (_, line) => Append(line.Data);
        demo.ErrorDataReceived += (_, line) => Append(line.Data);
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (!Output.Contains(Holding, StringComparison.Ordinal) && !demo.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
            if (Output.Contains(Holding, StringComparison.Ordinal))
            {
                // The quick run is the liver workload alone: the record's one workload.
                Record = JsonDocument.Parse(await File.ReadAllTextAsync(record)).RootElement.GetProperty("workloads").EnumerateArray().Single().Clone();
                Versions = await ReadVersionsAsync(Record.GetProperty("modelId").GetString()!);
                await demo.StandardInput.WriteLineAsync();
                await demo.StandardInput.FlushAsync();
            }
            using var exit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await demo.WaitForExitAsync(exit.Token);
            ExitCode = demo.ExitCode;
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Every version of the model through the demo's gateway, signed in as its ml-engineer (the address and the
    /// password folder are the ones the demo printed).</summary>
    private async Task<IReadOnlyList<JsonElement>> ReadVersionsAsync(string modelId)
    {
        var gateway = new Uri(GraphQLLine().Match(Output).Groups["gateway"].Value);
        var passwords = PasswordsLine().Match(Output).Groups["folder"].Value;
        var token = await PlatformLauncher.UserTokenAsync(gateway, "ml-engineer", (await File.ReadAllTextAsync(Path.Combine(passwords, "ml-engineer.password"))).Trim());
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(1) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.PostAsJsonAsync("graphql", new
        {
            query = """
                query($id: ID!) { model(id: $id) { versions { number stage
                  lineage { labelRevisionIds feedbackIds }
                  evaluation { feedbackIds sets { split caseCount candidate } } } } }
                """,
            variables = new { id = modelId },
        });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.TryGetProperty("errors", out var errors), $"the versions query answered {errors}");
        return [.. body.GetProperty("data").GetProperty("model").GetProperty("versions").EnumerateArray()
            .Select(version => version.Clone()).OrderBy(version => version.GetProperty("number").GetInt32())];
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [GeneratedRegex(@"GraphQL: (?<gateway>http://127\.0\.0\.1:\d+/)graphql")]
    private static partial Regex GraphQLLine();

    [GeneratedRegex(@"passwords in (?<folder>\S+?)/?$", RegexOptions.Multiline)]
    private static partial Regex PasswordsLine();

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
