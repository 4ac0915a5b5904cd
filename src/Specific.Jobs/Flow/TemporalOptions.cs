using System.Globalization;

namespace Specific.Jobs.Flow;

/// <summary>
/// Where the Temporal frontend is and how to reach it: plaintext, TLS (a private CA and server name), mutual TLS (a
/// client certificate and key mounted from a Secret) or an API key (Temporal Cloud). Bound from the "Temporal" section.
/// </summary>
public sealed class TemporalOptions
{
    public const string Section = "Temporal";

    /// <summary>host:port of the Temporal frontend; required wherever flows run on Temporal (Development defaults it to localhost:7233).</summary>
    public string Address { get; init; } = "";

    public string Namespace { get; init; } = "default";

    /// <summary>The task queue the worker polls and the bot starts workflows on; one per installation sharing a namespace.</summary>
    public string TaskQueue { get; init; } = JobTemporal.TaskQueue;

    /// <summary>Dial with TLS. Implied by any of the TLS settings below and by an API key.</summary>
    public bool Tls { get; init; }

    /// <summary>A PEM file with the CA that signed the server's certificate, when it is not a public one.</summary>
    public string? ServerCaCertPath { get; init; }

    /// <summary>The name to verify the server's certificate against, when it differs from the address's host.</summary>
    public string? ServerName { get; init; }

    /// <summary>mTLS: the client certificate (PEM), for example from a mounted Secret.</summary>
    public string? ClientCertPath { get; init; }

    /// <summary>mTLS: the client certificate's private key (PEM).</summary>
    public string? ClientKeyPath { get; init; }

    /// <summary>An API key (Temporal Cloud); sent as a bearer token over TLS.</summary>
    public string? ApiKey { get; init; }

    /// <summary>True when the connection is to use TLS, said or implied.</summary>
    public bool UsesTls =>
        Tls
        || !string.IsNullOrWhiteSpace(ServerCaCertPath)
        || !string.IsNullOrWhiteSpace(ServerName)
        || !string.IsNullOrWhiteSpace(ClientCertPath)
        || !string.IsNullOrWhiteSpace(ClientKeyPath)
        || !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>True for "host:port" with a port in range, which is what the Temporal client dials.</summary>
    public static bool IsHostAndPort(string? address)
    {
        var colon = address?.LastIndexOf(':') ?? -1;
        return colon > 0
            && int.TryParse(address!.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and < 65536;
    }
}
