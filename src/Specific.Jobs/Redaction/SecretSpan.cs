namespace Specific.Jobs.Redaction;

/// <summary>Where one secret sits in a text.</summary>
public readonly record struct SecretSpan(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>Finds where the secrets in a text are, so a stream can redact one piece while keeping back what may go on.</summary>
public interface ISecretLocator
{
    /// <summary>Every secret in <paramref name="text"/>, in order, none overlapping.</summary>
    IReadOnlyList<SecretSpan> Locate(string text);

    /// <summary>The longest text matched by value (a value or one of its encodings); 0 when there is none.</summary>
    int LongestValue { get; }
}
