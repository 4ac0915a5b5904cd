using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Slack's external upload flow: reserve an upload URL, send the bytes, complete and share.</summary>
public sealed class FilesTests : IAsyncLifetime
{
    private StandInHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StandInHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Multipart_upload_completed_into_a_thread_is_shared_there_and_downloadable()
    {
        var parent = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "Job 9" })).S("ts");
        var bytes = Encoding.UTF8.GetBytes("line 1\nline 2\n");
        var reserved = await _host.CallFormAsync("files.getUploadURLExternal", new Dictionary<string, string> { ["filename"] = "job-9.log", ["length"] = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "job-9.log" } };
        using var http = new HttpClient();
        using var uploaded = await http.PostAsync(new Uri(reserved.S("upload_url")), form, Ct);
        Assert.True(uploaded.IsSuccessStatusCode);

        var completed = await _host.CallAsync("files.completeUploadExternal", new JsonObject
        {
            ["files"] = new JsonArray(new JsonObject { ["id"] = reserved.S("file_id"), ["title"] = "Job 9 log" }),
            ["channel_id"] = "C0SANDBOX",
            ["thread_ts"] = parent,
        });

        Assert.True(completed.Ok, completed.Body.ToJsonString());
        var reply = _host.Slack.ThreadReplies("C0SANDBOX", parent).Last();
        var file = Assert.Single(reply.Files);
        Assert.Equal(("job-9.log", "Job 9 log"), (file.Name, file.Title));
        var downloaded = await http.GetByteArrayAsync(file.DownloadUrl, Ct);
        Assert.Equal(bytes, downloaded);
    }

    [Fact]
    public async Task Completing_a_file_that_was_never_uploaded_is_refused()
    {
        var reserved = await _host.CallAsync("files.getUploadURLExternal", new { filename = "x.txt", length = 3 });

        var completed = await _host.CallAsync("files.completeUploadExternal", new JsonObject
        {
            ["files"] = new JsonArray(new JsonObject { ["id"] = reserved.S("file_id") }),
            ["channel_id"] = "C0SANDBOX",
        });

        Assert.Equal("file_not_found", completed.Error);
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
    }

    [Fact]
    public async Task Upload_url_without_filename_or_length_is_invalid_arguments()
    {
        var response = await _host.CallAsync("files.getUploadURLExternal", new { filename = "x.txt" });

        Assert.Equal("invalid_arguments", response.Error);
    }

    [Fact]
    public async Task Raw_bytes_upload_is_accepted_like_slacks_upload_url()
    {
        var reserved = await _host.CallAsync("files.getUploadURLExternal", new { filename = "raw.bin", length = 4 });
        using var http = new HttpClient();
        using var content = new ByteArrayContent([1, 2, 3, 4]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var uploaded = await http.PostAsync(new Uri(reserved.S("upload_url")), content, Ct);
        var completed = await _host.CallAsync("files.completeUploadExternal", new JsonObject { ["files"] = new JsonArray(new JsonObject { ["id"] = reserved.S("file_id") }) });

        Assert.True(uploaded.IsSuccessStatusCode);
        Assert.True(completed.Ok);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Assert.Single(_host.Slack.Files).Content.ToArray());
    }
}
