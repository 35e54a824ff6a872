namespace Cl2.EndToEnd.Serving;

/// <summary>One <see cref="ServingPlatform"/> (PostgreSQL, labeling, inference, Orthanc) for a test class: each test adds
/// its own model and routing rule, and sends its own studies, so they do not see each other's.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    private ServingPlatform? _platform;

    public ServingPlatform Platform => _platform ?? throw new InvalidOperationException("the platform has not started");

    /// <summary>A folder for the tests' models, cohorts and the objects they read back.</summary>
    public string Work => Platform.WorkFolder;

    public async Task InitializeAsync()
    {
        _platform = await ServingPlatform.StartAsync();
        // Long enough that a study Orthanc sends on a machine this loaded is whole before it is complete: with 1 s a send
        // that stalled between two instances completed a CT study at its first slice (recorded UNUSABLE_VOLUME), and the
        // rest made it complete again, a second outcome.
        await _platform.StartInferenceAsync(quietPeriod: TimeSpan.FromSeconds(5));
    }

    public async Task DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
    }
}
