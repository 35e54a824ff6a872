using System.Text.Json;
using Cl2.Dicom.Network.Dimse;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// Issue 14's corrupt instance: the listener parsed only up to Instance Number (0020,0013) before Success, so an instance
/// corrupt further on was acknowledged, then refused by labeling's archive, and its study never left the backlog. Now the
/// whole data set is parsed first and such an instance is refused with a DIMSE failure status, never kept.
/// </summary>
public sealed class CorruptInstanceTests
{
    /// <summary>CT_small's data set bytes and its SOP Instance UID; <paramref name="change"/> edits the file first (dcmodify).</summary>
    private static async Task<(byte[] DataSet, string SopInstanceUid)> CtDataSetAsync(params string[] change)
    {
        var path = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", Directory.CreateTempSubdirectory("cl2-corrupt-").FullName);
        if (change.Length > 0)
        {
            (await Dcmtk.RunAsync("dcmodify", ["-nb", .. change, path])).EnsureSuccess("dcmodify");
        }
        var json = JsonDocument.Parse((await Dcmtk.RunAsync("dcm2json", [path])).EnsureSuccess("dcm2json").Output).RootElement;
        return (await Corpus.DataSetBytesAsync(path), json.GetProperty("00080018").GetProperty("Value")[0].GetString()!);
    }

    [Fact]
    public async Task a_data_set_truncated_in_its_pixel_data_is_refused_with_cannot_understand_and_not_kept()
    {
        await using var host = ListenerHost.Start();
        var (dataSet, uid) = await CtDataSetAsync();
        using var peer = await RawStoreAssociation.OpenAsync(host.Port, "CORRUPT");

        // CT_small ends with 32 KiB of pixel data and a short padding element: this cut is far after (0020,0013).
        var status = await peer.StoreAsync(uid, dataSet[..(dataSet.Length - 2000)]);

        Assert.Equal(DimseStatus.CannotUnderstand, status);
        Assert.Empty(host.Store.Versions(uid));
        Assert.Empty(host.Store.Studies());
    }

    [Fact]
    public async Task a_data_set_without_a_series_instance_uid_is_refused_with_data_set_does_not_match_sop_class()
    {
        await using var host = ListenerHost.Start();
        var (dataSet, uid) = await CtDataSetAsync("-ea", "(0020,000e)");
        using var peer = await RawStoreAssociation.OpenAsync(host.Port, "CORRUPT");

        var status = await peer.StoreAsync(uid, dataSet);

        Assert.Equal(DimseStatus.DataSetDoesNotMatchSopClass, status);
        Assert.Empty(host.Store.Versions(uid));
    }

    [Theory]
    [InlineData("(0020,000d)=1.2.03.4", "Study Instance UID is not a valid DICOM UID (PS3.5 9.1)")]
    [InlineData("(0020,000e)=../../etc/passwd", "Series Instance UID is not a valid DICOM UID (PS3.5 9.1)")]
    public async Task a_data_set_whose_uid_is_not_a_dicom_uid_is_refused_with_an_error_comment_naming_it(string change, string errorComment)
    {
        await using var host = ListenerHost.Start();
        var (dataSet, uid) = await CtDataSetAsync("-m", change);
        using var peer = await RawStoreAssociation.OpenAsync(host.Port, "CORRUPT");

        var response = await peer.StoreForResponseAsync(uid, dataSet);

        Assert.Equal(DimseStatus.DataSetDoesNotMatchSopClass, response.Status);
        Assert.Equal(errorComment, response.ErrorComment);
        Assert.Empty(host.Store.Versions(uid));
        Assert.Empty(host.Store.Studies());
    }

    [Fact]
    public async Task a_data_set_with_more_elements_than_the_listener_allows_is_refused_with_cannot_understand()
    {
        await using var host = ListenerHost.Start(("MaxDataSetElements", "1000"));
        var (dataSet, uid) = await CtDataSetAsync();
        using var peer = await RawStoreAssociation.OpenAsync(host.Port, "CORRUPT");

        var status = await peer.StoreAsync(uid, [.. dataSet, .. ManyElements.EmptyItems(1000)]);

        Assert.Equal(DimseStatus.CannotUnderstand, status);
        Assert.Empty(host.Store.Versions(uid));
    }

    [Fact]
    public async Task after_refusing_a_corrupt_instance_the_same_association_stores_a_sound_one()
    {
        await using var host = ListenerHost.Start();
        var (dataSet, uid) = await CtDataSetAsync();
        using var peer = await RawStoreAssociation.OpenAsync(host.Port, "CORRUPT");
        Assert.Equal(DimseStatus.CannotUnderstand, await peer.StoreAsync(uid, dataSet[..(dataSet.Length - 2000)]));

        var status = await peer.StoreAsync(uid, dataSet, messageId: 2);

        Assert.Equal(DimseStatus.Success, status);
        Assert.Equal(dataSet, host.StoredDataSet(uid));
    }
}
