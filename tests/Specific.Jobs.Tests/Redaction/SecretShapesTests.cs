using Specific.Jobs.Redaction;

namespace Specific.Jobs.Tests.Redaction;

/// <summary>Each token shape is caught, and look-alikes in ordinary output are left alone.</summary>
public sealed class SecretShapesTests
{
    private static string Redact(string text) => SecretRedactor.ShapesOnly.Redact(text);

    [Theory]
    [InlineData("token=xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", "token=[redacted]")]
    [InlineData("user token xoxp-12345-67890-abcdefABCDEF done", "user token [redacted] done")]
    [InlineData("legacy xoxa-2-abcdefghijk", "legacy [redacted]")]
    [InlineData("refresh xoxe-1-abcdefghijklmnop", "refresh [redacted]")]
    [InlineData("rotating xoxe.xoxp-1-Mi0yLTE0NzI", "rotating [redacted]")]
    [InlineData("socket mode xapp-1-A0123456789-1234567890123-abcdef0123456789", "socket mode [redacted]")]
    [InlineData("posting to https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX", "posting to https://hooks.slack.com/services/[redacted]")]
    public void Slack_tokens_and_webhooks_are_redacted(string text, string expected) => Assert.Equal(expected, Redact(text));

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc-DEF_123", "Authorization: Bearer [redacted]")]
    [InlineData("curl -H 'authorization: bearer 0123456789abcdef'", "curl -H 'authorization: bearer [redacted]'")]
    [InlineData("using bearer token abcdefghijklmnopqrstuvwx", "using bearer token abcdefghijklmnopqrstuvwx")]
    [InlineData("sent Bearer a1b2c3d4e5f6 to the API", "sent Bearer [redacted] to the API")]
    [InlineData("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]")]
    [InlineData("\"authorization\": \"token ghs_16C7e42F292c6912E7710c838347Ae178B4a\"", "\"authorization\": \"token [redacted]\"")]
    [InlineData("Proxy-Authorization: Negotiate YIIB9wYJKoZIhvcSAQICAQBuggHmMIIB4qADAgEFoQMCAQ6i", "Proxy-Authorization: Negotiate [redacted]")]
    [InlineData("AUTHORIZATION=k8s-sa-0123456789", "AUTHORIZATION=[redacted]")]
    public void Bearer_tokens_and_authorization_headers_are_redacted(string text, string expected) => Assert.Equal(expected, Redact(text));

    [Theory]
    [InlineData("key id AKIAIOSFODNN7EXAMPLE in use", "key id [redacted] in use")]
    [InlineData("ASIAY34FZKBOKMUTVV7A", "[redacted]")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [redacted]")]
    [InlineData("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=[redacted]")]
    [InlineData("\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\",", "\"SecretAccessKey\": \"[redacted]\",")]
    public void AWS_access_key_ids_and_secret_keys_in_context_are_redacted(string text, string expected) => Assert.Equal(expected, Redact(text));

    [Theory]
    [InlineData("clone with ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok", "clone with [redacted] ok")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "[redacted]")]
    public void GitHub_tokens_are_redacted(string text, string expected) => Assert.Equal(expected, Redact(text));

    [Theory]
    [InlineData("connecting to postgres://web:s3cr3t@db.production.svc:5432/web", "connecting to postgres://web:[redacted]@db.production.svc:5432/web")]
    [InlineData("REDIS_URL=redis://:p%40ss@cache:6379/0", "REDIS_URL=redis://:[redacted]@cache:6379/0")]
    [InlineData("amqp://guest:guest@rabbitmq:5672/ and https://u:pw@example.com/x", "amqp://guest:[redacted]@rabbitmq:5672/ and https://u:[redacted]@example.com/x")]
    public void Passwords_in_URLs_are_redacted_and_the_rest_of_the_URL_stays(string text, string expected) => Assert.Equal(expected, Redact(text));

    [Fact]
    public void A_private_key_block_is_redacted_line_by_line_and_keeps_its_line_count()
    {
        const string text = """
            writing key
            -----BEGIN RSA PRIVATE KEY-----
            MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB
            aFDrBz9vFqU4yPIK6uX7+Ohbpqk8Wz7Tg0bVvWmQvE=
            -----END RSA PRIVATE KEY-----
            done
            """;
        var redacted = Redact(text);
        Assert.Equal("writing key\n[redacted]\n[redacted]\n[redacted]\n[redacted]\ndone", redacted.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("-----BEGIN PRIVATE KEY-----")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----")]
    [InlineData("-----BEGIN EC PRIVATE KEY-----")]
    [InlineData("-----BEGIN PGP PRIVATE KEY BLOCK-----")]
    public void A_key_block_whose_END_has_not_arrived_is_redacted_to_the_end(string begin)
    {
        var redacted = Redact($"key follows\n{begin}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7");
        Assert.Equal("key follows\n[redacted]\n[redacted]\n[redacted]", redacted);
    }

    [Fact]
    public void A_cut_off_key_block_hides_its_key_lines_but_not_the_output_after_them()
    {
        var redacted = Redact("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nQC7==\nERROR: write failed (disk full)");
        Assert.Equal("[redacted]\n[redacted]\n[redacted]\nERROR: write failed (disk full)", redacted);
    }

    [Fact]
    public void A_key_block_with_escaped_newlines_in_JSON_is_redacted()
    {
        var redacted = Redact("""{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n", "client_email": "a@b"}""");
        Assert.Equal("""{"private_key": "[redacted]\n", "client_email": "a@b"}""", redacted);
    }

    [Fact]
    public void The_end_of_a_key_block_whose_start_came_earlier_is_redacted_back_to_the_first_non_key_line()
    {
        var redacted = Redact("tail of output\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7==\n-----END PRIVATE KEY-----\nafter");
        Assert.Equal("tail of output\n[redacted]\n[redacted]\n[redacted]\nafter", redacted);
    }

    [Theory]
    [InlineData("GET /healthz 200 in 3ms")]
    [InlineData("the bearer of bad news")]
    [InlineData("Bearer authentication failed")]
    [InlineData("Authorization: failed for user alice")]
    [InlineData("see https://example.com:8443/path?x=1 and http://localhost:3000/")]
    [InlineData("user@example.com wrote: hello")]
    [InlineData("AKIA is a prefix, AKIAshort is not a key")]
    [InlineData("xoxb- alone, xoxb-short")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----")]
    [InlineData("aws_secret_access_key is not set")]
    [InlineData("ssh://git@github.com/org/repo.git")]
    [InlineData("ghp_tooShort")]
    public void Ordinary_output_that_only_looks_similar_is_left_alone(string text) => Assert.Equal(text, Redact(text));

    [Fact]
    public void A_shape_is_found_inside_a_long_block_of_other_output()
    {
        var noise = string.Concat(Enumerable.Repeat("all good here, nothing to see\n", 2000));
        var redacted = Redact(noise + "Authorization: Bearer abcdef0123456789\n" + noise);
        Assert.Equal(noise + "Authorization: Bearer [redacted]\n" + noise, redacted);
    }
}
