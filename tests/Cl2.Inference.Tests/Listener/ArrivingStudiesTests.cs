using System.Collections.Concurrent;
using System.Globalization;
using Cl2.Inference.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// A study whose association is open is still arriving, so its quiet period has not begun. The listener used to say so
/// only after the instance's commit had returned, while the instance was already visible to the processing loop with a
/// received time from before the commit's sync: a sync slower than the quiet period (a loaded disk) completed a CT study
/// at its first slice, and the rest of it made a second outcome.
/// </summary>
public sealed class ArrivingStudiesTests
{
    [Fact]
    public async Task a_study_is_arriving_from_the_moment_its_first_instance_is_visible_in_the_store()
    {
        await using var host = ListenerHost.Start();
        var arriving = host.Services.GetRequiredService<ArrivingStudies>();
        var seen = new ConcurrentQueue<(string Study, bool Arriving)>();
        host.Store.StudyReceived += (_, study) => seen.Enqueue((study.StudyInstanceUid, arriving.IsArriving(study.StudyInstanceUid)));
        var path = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", Directory.CreateTempSubdirectory("cl2-arriving-").FullName);

        var result = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture), path]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var (study, wasArriving) = Assert.Single(seen);
        Assert.True(wasArriving, $"study {study} was visible in the store before its open association counted it as arriving");
    }
}
