using System.Text.RegularExpressions;

namespace Specific.Jobs.Redaction;

/// <summary>
/// Common token shapes, found without knowing any value: Slack tokens and webhooks, bearer tokens and Authorization
/// headers, AWS keys, GitHub tokens, private key blocks and passwords in URLs. Where a shape has a <c>secret</c>
/// group, only that part is secret (the "Bearer " before a token stays readable).
/// </summary>
public static partial class SecretShapes
{
    /// <summary>Every shape gets this long per text; a text that takes longer is withheld whole (see <see cref="Locate"/>).</summary>
    public const int TimeoutMilliseconds = 1000;

    private const string SecretGroup = "secret";

    private static readonly Regex[] Shapes =
    [
        SlackToken(), SlackAppToken(), SlackWebhook(),
        BearerToken(), AuthorizationWithScheme(), AuthorizationBare(),
        AwsAccessKeyId(), AwsSecretAccessKey(),
        GitHubToken(),
        PrivateKeyBlock(), EscapedPrivateKeyBlock(),
        UrlPassword(),
    ];

    /// <summary>Adds the span of every shape in <paramref name="text"/> to <paramref name="spans"/> (unordered, may overlap).</summary>
    public static void Locate(string text, List<SecretSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(spans);
        try
        {
            foreach (var shape in Shapes)
            {
                foreach (Match match in shape.Matches(text))
                {
                    var secret = match.Groups[SecretGroup];
                    var part = secret.Success ? (Capture)secret : match;
                    if (part.Length > 0)
                    {
                        spans.Add(new SecretSpan(part.Index, part.Length));
                    }
                }
            }
            LocateKeyBodiesBeforeEnd(text, spans);
        }
        catch (RegexMatchTimeoutException)
        {
            // Fail closed: a text too odd to scan in time is withheld rather than posted unscanned.
            spans.Clear();
            spans.Add(new SecretSpan(0, text.Length));
        }
    }

    /// <summary>
    /// The end of a key block whose start is not in this text (it came in an earlier piece): the base64 lines right
    /// before the END line are key material too.
    /// </summary>
    private static void LocateKeyBodiesBeforeEnd(string text, List<SecretSpan> spans)
    {
        foreach (Match end in PrivateKeyEnd().Matches(text))
        {
            var start = end.Index;
            var lineStart = text.LastIndexOf('\n', Math.Max(0, start - 1)) + 1;
            if (text.AsSpan(lineStart, start - lineStart).Trim().Length == 0)
            {
                // The END line holds nothing else: walk back over the key's lines.
                while (lineStart > 0)
                {
                    var previousStart = lineStart >= 2 ? text.LastIndexOf('\n', lineStart - 2) + 1 : 0;
                    var previous = text.AsSpan(previousStart, lineStart - 1 - previousStart).TrimEnd('\r');
                    if (previous.Length == 0 || !IsKeyLine(previous))
                    {
                        break;
                    }
                    lineStart = previousStart;
                    if (previous.StartsWith("-----BEGIN", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
                start = lineStart;
            }
            spans.Add(new SecretSpan(start, end.Index + end.Length - start));
        }
    }

    private static bool IsKeyLine(ReadOnlySpan<char> line) =>
        line.StartsWith("-----BEGIN", StringComparison.Ordinal) || KeyLineAlone().IsMatch(line);

    [GeneratedRegex(@"\b(?:xox[abprs]|xoxe\.xox[bp]|xoxe)-[A-Za-z0-9-]{8,}", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\bxapp-\d-[A-Za-z0-9-]{8,}", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex SlackAppToken();

    [GeneratedRegex(@"hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9/_-]{8,})", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex SlackWebhook();

    // A token needs a digit, or 16 characters, so "bearer authentication" in prose stays readable.
    [GeneratedRegex(@"(?i:\bbearer)[ \t]+(?<secret>(?=[A-Za-z\-._~+/]{0,256}\d)[A-Za-z0-9\-._~+/]{8,}=*|[A-Za-z0-9\-._~+/]{16,}=*)",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"(?i:\b(?:proxy-)?authorization)[""']?[ \t]*[:=][ \t]*[""']?(?i:basic|bearer|token|digest|negotiate|apikey)[ \t]+(?<secret>[^\s""',;]{4,})",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AuthorizationWithScheme();

    [GeneratedRegex(@"(?i:\b(?:proxy-)?authorization)[""']?[ \t]*[:=][ \t]*[""']?(?<secret>(?=[^\s""',;]{0,256}\d)[^\s""',;]{8,}|[^\s""',;]{16,})",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AuthorizationBare();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AwsAccessKeyId();

    // aws_secret_access_key = …, AWS_SECRET_ACCESS_KEY=…, "SecretAccessKey": "…" (aws sts output).
    [GeneratedRegex(@"(?i:\b(?:aws_?)?secret_?access_?key)[""']?[ \t]*[:=][ \t]*[""']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AwsSecretAccessKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GitHubToken();

    // The lines of a key block: base64 (a short last line ends in '='), or an RFC 1421 header (Proc-Type, DEK-Info).
    private const string KeyLine = @"(?:[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]{1,15}={1,2}|(?:Proc-Type|DEK-Info|Comment):[^\r\n]*)";

    // BEGIN, the key lines that follow, and END when it is in this text; without END (it comes in a later piece),
    // BEGIN and the key lines so far.
    [GeneratedRegex(@"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:\r?\n(?:" + KeyLine + @")?(?=\r?\n|\z))*(?:\r?\n-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----)?",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PrivateKeyBlock();

    // The same block written on one line with escaped newlines, as in a service account's JSON key file.
    [GeneratedRegex(@"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|[A-Za-z0-9+/=])*(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----)?",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex EscapedPrivateKeyBlock();

    [GeneratedRegex("^" + KeyLine + "$", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex KeyLineAlone();

    [GeneratedRegex(@"-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PrivateKeyEnd();

    // scheme://user:password@host (the user may be empty: redis://:password@host).
    // Led by the literal "://" so the engine can jump between candidates; the scheme is checked looking back.
    [GeneratedRegex(@"(?<=\b[A-Za-z][A-Za-z0-9+.\-]{0,30})://[^\s:/?#@\[\]""'<>]*:(?<secret>[^\s/?#@\[\]""'<>]+)@",
        RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex UrlPassword();
}
