namespace Cl2.Testing;

/// <summary>
/// Starts of in-process hosts that are meant to fail (a setting the options validators refuse). WebApplicationFactory runs
/// Program on a thread of its own and, once the host is built, asks that host for its services to wait for the start; where
/// the start fails at once, Program's <c>RunAsync</c> may already have disposed the host by then, and the factory throws
/// <see cref="ObjectDisposedException"/> (IServiceProvider) in place of the start's own error. That race is the factory's,
/// seen in a loaded CI run; a start that lost it is made again, each time a new host with the same settings.
/// </summary>
public static class FailingStart
{
    /// <summary>Runs <paramref name="start"/> (which builds, starts and disposes a host) up to <paramref name="tries"/>
    /// times while it fails with the factory's <see cref="ObjectDisposedException"/>; any other outcome is returned or thrown
    /// as it is.</summary>
    public static void Run(Action start, int tries = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                start();
                return;
            }
            catch (ObjectDisposedException) when (attempt < tries)
            {
            }
        }
    }
}
