using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Specific.Jobs.Flow;

/// <summary>
/// Checks the Temporal settings at start-up, each failure naming the variable to set; certificate files are read and
/// parsed here, so a wrong mount fails the start rather than the first workflow.
/// </summary>
public sealed class TemporalOptionsValidator : IValidateOptions<TemporalOptions>
{
    public ValidateOptionsResult Validate(string? name, TemporalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (!TemporalOptions.IsHostAndPort(options.Address))
        {
            problems.Add("Temporal__Address is not set to host:port: set it to the Temporal frontend, for example "
                + "'temporal-frontend.temporal:7233' or '<namespace>.<account>.tmprl.cloud:7233' (or run the bot with Bot__Engine=InProcess).");
        }

        if (string.IsNullOrWhiteSpace(options.Namespace))
        {
            problems.Add("Temporal__Namespace is empty: set it to the Temporal namespace, for example 'default'.");
        }

        if (string.IsNullOrWhiteSpace(options.TaskQueue))
        {
            problems.Add($"Temporal__TaskQueue is empty: leave it unset for '{JobTemporal.TaskQueue}', or name this installation's queue.");
        }

        var hasCert = !string.IsNullOrWhiteSpace(options.ClientCertPath);
        var hasKey = !string.IsNullOrWhiteSpace(options.ClientKeyPath);
        if (hasCert != hasKey)
        {
            problems.Add(hasCert
                ? "Temporal__ClientKeyPath is not set: mutual TLS needs the client certificate's private key as well as Temporal__ClientCertPath."
                : "Temporal__ClientCertPath is not set: mutual TLS needs the client certificate as well as Temporal__ClientKeyPath.");
        }
        else if (hasCert && CheckClientPair(options.ClientCertPath!, options.ClientKeyPath!) is { } pairProblem)
        {
            problems.Add(pairProblem);
        }

        if (!string.IsNullOrWhiteSpace(options.ServerCaCertPath) && CheckCa(options.ServerCaCertPath) is { } caProblem)
        {
            problems.Add(caProblem);
        }

        if (options.ApiKey is { } key && key.Length > 0 && string.IsNullOrWhiteSpace(key))
        {
            problems.Add("Temporal__ApiKey is blank: set it to the namespace's API key, or leave it unset.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static string? CheckClientPair(string certPath, string keyPath)
    {
        if (Unreadable(certPath, "Temporal__ClientCertPath") is { } certProblem)
        {
            return certProblem;
        }

        if (Unreadable(keyPath, "Temporal__ClientKeyPath") is { } keyProblem)
        {
            return keyProblem;
        }

        try
        {
            using var pair = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            return null;
        }
        catch (Exception invalid) when (invalid is CryptographicException or ArgumentException)
        {
            // ArgumentException: a key that is not the certificate's own.
            return $"Temporal__ClientCertPath and Temporal__ClientKeyPath ({certPath}, {keyPath}) are not a PEM certificate "
                + $"and its private key: {invalid.Message}. Mount the Secret's tls.crt and tls.key.";
        }
    }

    private static string? CheckCa(string caPath)
    {
        if (Unreadable(caPath, "Temporal__ServerCaCertPath") is { } problem)
        {
            return problem;
        }

        try
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(caPath);
            foreach (var authority in authorities)
            {
                authority.Dispose();
            }

            return authorities.Count > 0
                ? null
                : $"Temporal__ServerCaCertPath ({caPath}) holds no PEM certificate: mount the CA that signed the Temporal frontend's certificate.";
        }
        catch (CryptographicException invalid)
        {
            return $"Temporal__ServerCaCertPath ({caPath}) is not a PEM certificate: {invalid.Message}.";
        }
    }

    private static string? Unreadable(string path, string setting)
    {
        try
        {
            using var file = File.OpenRead(path);
            return null;
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            return $"{setting} ({path}) cannot be read: {unreadable.Message} Mount the file, or unset {setting}.";
        }
    }
}
