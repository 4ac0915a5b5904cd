using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Specific.Jobs.Flow;
using Temporalio.Client;

namespace Specific.Jobs.Tests.Flow;

/// <summary>The Temporal settings: plaintext, TLS, mutual TLS and API key, checked at start-up; and the SDK's metrics bridge.</summary>
public sealed class TemporalConnectSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jobsbot-temporal-tls-").FullName;

    [Fact]
    public void Plaintext_is_the_default_and_sends_no_api_key()
    {
        var client = new TemporalClientConnectOptions();
        TemporalConnectSettings.Apply(new TemporalOptions { Address = "temporal:7233", Namespace = "jobs" }, client);

        Assert.Equal("temporal:7233", client.TargetHost);
        Assert.Equal("jobs", client.Namespace);
        Assert.Null(client.Tls);
        Assert.Null(client.ApiKey);
    }

    [Fact]
    public void An_api_key_turns_tls_on_as_Temporal_Cloud_requires()
    {
        var client = new TemporalClientConnectOptions();
        TemporalConnectSettings.Apply(new TemporalOptions { Address = "ns.acct.tmprl.cloud:7233", ApiKey = " key-123 " }, client);

        Assert.NotNull(client.Tls);
        Assert.Null(client.Tls.ClientCert);
        Assert.Equal("key-123", client.ApiKey);
    }

    [Fact]
    public void Mutual_tls_reads_the_mounted_certificate_key_and_ca_and_sets_the_server_name()
    {
        var (cert, key) = WritePair("client");
        var (ca, _) = WritePair("ca");
        var options = new TemporalOptions
        {
            Address = "temporal:7233",
            ClientCertPath = cert,
            ClientKeyPath = key,
            ServerCaCertPath = ca,
            ServerName = "frontend.temporal.internal",
        };

        Assert.True(new TemporalOptionsValidator().Validate(null, options).Succeeded);
        var tls = TemporalConnectSettings.TlsOf(options);

        Assert.NotNull(tls);
        Assert.Equal(File.ReadAllBytes(cert), tls.ClientCert);
        Assert.Equal(File.ReadAllBytes(key), tls.ClientPrivateKey);
        Assert.Equal(File.ReadAllBytes(ca), tls.ServerRootCACert);
        Assert.Equal("frontend.temporal.internal", tls.Domain);
    }

    [Fact]
    public void A_client_certificate_without_its_key_is_refused_naming_Temporal__ClientKeyPath()
    {
        var (cert, _) = WritePair("client");

        var result = new TemporalOptionsValidator().Validate(null, new TemporalOptions { Address = "temporal:7233", ClientCertPath = cert });

        Assert.True(result.Failed);
        Assert.Contains("Temporal__ClientKeyPath is not set", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_that_is_missing_or_not_pem_is_refused_at_start_up_naming_the_setting()
    {
        var garbage = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(garbage, "not a certificate");
        var validator = new TemporalOptionsValidator();

        var missing = validator.Validate(null, new TemporalOptions
        {
            Address = "temporal:7233",
            ClientCertPath = Path.Combine(_folder, "absent.crt"),
            ClientKeyPath = Path.Combine(_folder, "absent.key"),
        });
        var notPem = validator.Validate(null, new TemporalOptions { Address = "temporal:7233", ServerCaCertPath = garbage });

        Assert.Contains("Temporal__ClientCertPath", missing.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("cannot be read", missing.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Temporal__ServerCaCertPath", notPem.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_does_not_belong_to_the_certificate_is_refused()
    {
        var (cert, _) = WritePair("client");
        var (_, otherKey) = WritePair("other");

        var result = new TemporalOptionsValidator().Validate(null, new TemporalOptions
        {
            Address = "temporal:7233", ClientCertPath = cert, ClientKeyPath = otherKey,
        });

        Assert.True(result.Failed);
        Assert.Contains("are not a PEM certificate and its private key", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_task_queue_and_a_missing_address_are_both_named()
    {
        var result = new TemporalOptionsValidator().Validate(null, new TemporalOptions { Address = "", TaskQueue = " " });

        Assert.Contains("Temporal__Address", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Temporal__TaskQueue", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sdk_metrics_arrive_on_the_Temporalio_meter_with_their_tags()
    {
        using var bridge = new TemporalMetricMeter();
        var seen = new List<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TemporalMetricMeter.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        var counter = bridge.CreateCounter<long>("temporal_request", null, "requests");
        var baseTags = bridge.CreateTags(null, [new("namespace", "default")]);
        var tags = bridge.CreateTags(baseTags, [new("operation", "StartWorkflowExecution")]);
        counter.Add(3, tags);

        var (name, value, recorded) = Assert.Single(seen);
        Assert.Equal("temporal_request", name);
        Assert.Equal(3, value);
        Assert.Equal("default", recorded["namespace"]);
        Assert.Equal("StartWorkflowExecution", recorded["operation"]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (string Cert, string Key) WritePair(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(_folder, name + ".crt");
        var keyPath = Path.Combine(_folder, name + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
