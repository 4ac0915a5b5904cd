using Temporalio.Client;

namespace Specific.Jobs.Flow;

/// <summary>Turns <see cref="TemporalOptions"/> into the client's connection settings: target, namespace, TLS and API key.</summary>
public static class TemporalConnectSettings
{
    /// <summary>Applies the settings to the client options; certificate files are read now, once.</summary>
    public static void Apply(TemporalOptions temporal, TemporalClientConnectOptions client)
    {
        ArgumentNullException.ThrowIfNull(temporal);
        ArgumentNullException.ThrowIfNull(client);
        client.TargetHost = temporal.Address;
        client.Namespace = temporal.Namespace;
        client.Tls = TlsOf(temporal);
        client.ApiKey = string.IsNullOrWhiteSpace(temporal.ApiKey) ? null : temporal.ApiKey.Trim();
    }

    /// <summary>Null for plaintext; otherwise the CA, the server name and the client pair that are set.</summary>
    public static TlsOptions? TlsOf(TemporalOptions temporal)
    {
        ArgumentNullException.ThrowIfNull(temporal);
        if (!temporal.UsesTls)
        {
            return null;
        }

        return new TlsOptions
        {
            ServerRootCACert = ReadIfSet(temporal.ServerCaCertPath),
            Domain = string.IsNullOrWhiteSpace(temporal.ServerName) ? null : temporal.ServerName,
            ClientCert = ReadIfSet(temporal.ClientCertPath),
            ClientPrivateKey = ReadIfSet(temporal.ClientKeyPath),
        };
    }

    private static byte[]? ReadIfSet(string? path) => string.IsNullOrWhiteSpace(path) ? null : File.ReadAllBytes(path);
}
