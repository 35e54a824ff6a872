using System.Net;
using System.Net.Http.Headers;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;
using Microsoft.AspNetCore.Hosting;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>The blob store and the DICOMweb archive check roles like every GraphQL operation does.</summary>
public sealed class ArchiveAuthorizationTests
{
    private static HttpClient As(StorageHost host, string user, string roles)
    {
        var http = host.CreateClient();
        http.DefaultRequestHeaders.Add("X-Cl2-User", user);
        http.DefaultRequestHeaders.Add("X-Cl2-Roles", roles);
        return http;
    }

    [Fact]
    public async Task an_annotator_reads_the_archive_but_cannot_store_into_it_and_nothing_of_the_refused_upload_is_kept()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        var path = Path.Combine(ArchiveTests.Corpus, "CT_small.dcm");
        using var annotator = As(host, "ann", "annotator");
        annotator.BaseAddress = new Uri(annotator.BaseAddress!, "/dicomweb/");

        var refused = await Assert.ThrowsAsync<DicomWebException>(() => new DicomWebClient(annotator).StoreFilesAsync([path]));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("ml-engineer, service", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await new DicomWebClient(annotator).SearchInstancesAsync());
        Assert.Empty(host.StoredFiles);

        using var service = As(host, "inference", "service");
        service.BaseAddress = new Uri(service.BaseAddress!, "/dicomweb/");
        Assert.Single((await new DicomWebClient(service).StoreFilesAsync([path])).Stored);
        Assert.Single(await new DicomWebClient(annotator).SearchInstancesAsync());
    }

    [Fact]
    public async Task without_an_identity_the_blob_store_and_the_archive_answer_401_and_store_nothing()
    {
        await using var host = new StorageHost(postgres: null);
        using var anonymous = host.WithWebHostBuilder(builder => builder.UseSetting("DevelopmentIdentity:DefaultUser", ""));
        using var http = anonymous.CreateClient();

        using var upload = new ByteArrayContent([1, 2, 3]);
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var stored = await http.PostAsync("/blobs", upload);
        Assert.Equal(HttpStatusCode.Unauthorized, stored.StatusCode);
        Assert.Contains("signed-in caller", await stored.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(host.StoredFiles);

        var read = await http.GetAsync("/blobs/sha256:" + new string('0', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/dicomweb/studies/1.2/series/1.3/instances/1.4/bulk/7FE00010")).StatusCode);
    }
}
