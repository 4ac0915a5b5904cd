using Microsoft.AspNetCore.StaticFiles;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Content types for uploaded files and the page's own assets.</summary>
internal static class MimeTypes
{
    private static readonly FileExtensionContentTypeProvider Provider = new();

    public static string For(string fileName) =>
        Provider.TryGetContentType(fileName, out var type) ? type : "application/octet-stream";
}
