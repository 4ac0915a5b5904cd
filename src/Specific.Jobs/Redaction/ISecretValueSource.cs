using Specific.Jobs.Domain;

namespace Specific.Jobs.Redaction;

/// <summary>The values a job's environment takes from Secrets, and, for each one that could not be read, why.</summary>
/// <param name="Problems">Sentences a person can act on ("the bot may not read Secret `db` in `production`"); never a value.</param>
public sealed record SecretValueRead(IReadOnlyList<string> Values, IReadOnlyList<string> Problems);

/// <summary>Reads the secret values a job's environment holds.</summary>
public interface ISecretValueSource
{
    /// <summary>Reads them now. Problems are reported in the result, not thrown.</summary>
    Task<SecretValueRead> ReadAsync(JobRecord job, CancellationToken cancellationToken);
}
