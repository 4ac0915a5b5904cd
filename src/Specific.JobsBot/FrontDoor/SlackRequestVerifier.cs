using Microsoft.Extensions.Options;
using Specific.Slack.Signatures;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.FrontDoor;

/// <summary>
/// Reads a Slack request's raw body and checks its v0 signature before anything parses it: the signature covers the
/// exact bytes, so the form is parsed from these bytes, never from ASP.NET Core's re-read of the stream.
/// </summary>
public sealed partial class SlackRequestVerifier(
    IOptionsMonitor<SlackOptions> options, TimeProvider clock, ILogger<SlackRequestVerifier> logger)
{
    /// <summary>The largest body accepted; Slack's own payloads stay far below it.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The verified body, or the status to answer with (401 or 413) and no detail.</summary>
    public async Task<(byte[]? Body, int FailureStatus)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge);
        }

        var body = await ReadBoundedAsync(request.Body, cancellationToken);
        if (body is null)
        {
            return (null, StatusCodes.Status413PayloadTooLarge);
        }

        if (string.IsNullOrEmpty(options.CurrentValue.SigningSecret))
        {
            // Socket Mode without a signing secret: nothing posted over HTTP can be verified, so nothing is accepted.
            LogRejected(request.Path, SignatureCheck.Missing);
            return (null, StatusCodes.Status401Unauthorized);
        }

        var check = SlackSignature.Verify(
            options.CurrentValue.SigningSecret,
            request.Headers[SlackSignature.TimestampHeader].ToString(),
            request.Headers[SlackSignature.SignatureHeader].ToString(),
            body,
            clock.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            LogRejected(request.Path, check);
            return (null, StatusCodes.Status401Unauthorized);
        }

        return (body, 0);
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected an unverified request to {Path}: {Check}")]
    private partial void LogRejected(PathString path, SignatureCheck check);
}
