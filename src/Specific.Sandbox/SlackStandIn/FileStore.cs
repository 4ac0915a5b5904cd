using System.Globalization;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Files uploaded through files.getUploadURLExternal: reserved, uploaded, then completed into a channel.</summary>
internal sealed class FileStore(SlackWorkspace workspace)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FileEntry> _files = new(StringComparer.Ordinal);

    private Uri BaseUrl => workspace.BaseUrl;

    public (string Id, Uri UploadUrl) Reserve(string name, long length)
    {
        var id = workspace.NewId('F');
        lock (_lock)
            _files[id] = new FileEntry(id, name, length);
        return (id, new Uri(BaseUrl, $"upload/v1/{id}"));
    }

    public bool StoreUpload(string fileId, byte[] content)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(fileId, out var entry) || entry.Completed)
                return false;
            entry.Content = content;
            return true;
        }
    }

    /// <summary>Marks uploaded files complete; returns the files or the id that was never uploaded.</summary>
    public (IReadOnlyList<StandInFile> Files, string? MissingId) Complete(IReadOnlyList<(string Id, string? Title)> wanted, string? channelId)
    {
        lock (_lock)
        {
            var result = new List<StandInFile>();
            foreach (var (id, title) in wanted)
            {
                if (!_files.TryGetValue(id, out var entry) || entry.Content is null || entry.Completed)
                    return ([], id);
            }
            foreach (var (id, title) in wanted)
            {
                var entry = _files[id];
                entry.Completed = true;
                entry.Title = string.IsNullOrEmpty(title) ? entry.Name : title;
                entry.ChannelId = channelId;
                result.Add(entry.Snapshot(BaseUrl));
            }
            return (result, null);
        }
    }

    public void AttachTo(IReadOnlyList<StandInFile> files, string? channelId, string messageTs)
    {
        lock (_lock)
        {
            foreach (var file in files)
            {
                if (_files.TryGetValue(file.Id, out var entry))
                {
                    entry.ChannelId = channelId;
                    entry.MessageTs = messageTs;
                }
            }
        }
    }

    public StandInFile? Find(string id)
    {
        lock (_lock)
            return _files.TryGetValue(id, out var entry) && entry.Completed ? entry.Snapshot(BaseUrl) : null;
    }

    public IReadOnlyList<StandInFile> All()
    {
        lock (_lock)
            return _files.Values.Where(f => f.Completed).Select(f => f.Snapshot(BaseUrl)).ToList();
    }

    private sealed class FileEntry(string id, string name, long length)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public long Length { get; } = length;

        public string? Title { get; set; }

        public byte[]? Content { get; set; }

        public bool Completed { get; set; }

        public string? ChannelId { get; set; }

        public string? MessageTs { get; set; }

        public StandInFile Snapshot(Uri baseUrl) => new(Id, Name, Title, Content?.LongLength ?? Length, Content ?? [], ChannelId, MessageTs,
            new Uri(baseUrl, $"files/{Id}/{Uri.EscapeDataString(Name)}"));
    }
}
