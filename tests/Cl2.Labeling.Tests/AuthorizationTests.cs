using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cl2.Labeling.Tests;

public sealed class AuthorizationTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_caller_without_the_operations_role_is_refused_before_anything_runs()
    {
        var claim = await api.PostAsAsync(("ann", "annotator"),
            "mutation { claimTrainingJob(input: { worker: \"w\", device: \"cpu\" }) { id } }");
        Assert.Equal("FORBIDDEN", claim.FirstErrorCode);
        Assert.Null(claim.Data);

        var created = await api.PostAsAsync(("ann", "annotator"), """mutation { createDataset(input: { name: "nope" }) { id } }""");
        Assert.Equal("FORBIDDEN", created.FirstErrorCode);
        Assert.Equal(0, (await api.RunAsync("{ datasets { totalCount } }"))["datasets"]!["totalCount"]!.GetValue<int>());

        var allowed = await api.RunAsAsync(("eve", "ml-engineer"), """mutation { createDataset(input: { name: "yes" }) { createdBy } }""");
        Assert.Equal("eve", allowed["createDataset"]!["createdBy"]!.GetValue<string>());
        var admin = await api.RunAsAsync(("root", "admin"), "mutation { claimTrainingJob(input: { worker: \"w\", device: \"cpu\" }) { id } }");
        Assert.NotNull(admin);
    }

    [Fact]
    public async Task roles_sent_without_a_user_leave_the_caller_unauthenticated_instead_of_the_default_developer()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { query = """mutation { createDataset(input: { name: "sneaky" }) { id } }""" }),
        };
        request.Headers.Add("X-Cl2-Roles", "annotator");
        using var sent = await api.Client.SendAsync(request);
        var response = await GraphQLResponse.ReadAsync(sent);

        Assert.Equal("UNAUTHENTICATED", response.FirstErrorCode);
        Assert.Equal(0, (await api.RunAsync("{ datasets { totalCount } }"))["datasets"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task without_an_identity_every_operation_answers_unauthenticated()
    {
        using var anonymous = api.Host.WithWebHostBuilder(builder => builder.UseSetting("DevelopmentIdentity:DefaultUser", ""));
        using var client = anonymous.CreateClient();
        var response = await LabelingApi.PostAsync(client, "{ datasets { totalCount } }");
        Assert.Equal("UNAUTHENTICATED", response.FirstErrorCode);
    }

    [Fact]
    public void the_development_identity_is_refused_at_start_up_in_production()
    {
        var refusal = Assert.ThrowsAny<Exception>(() => FailingStart.Run(() =>
        {
            using var production = api.Host.WithWebHostBuilder(builder => builder.UseEnvironment(Environments.Production));
            _ = production.Services.GetRequiredService<IServiceProvider>();
        }));
        Assert.Contains("DevelopmentIdentity:Enabled", refusal.ToString(), StringComparison.Ordinal);
    }
}
