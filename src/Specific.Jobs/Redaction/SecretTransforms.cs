using System.Globalization;
using System.Text;

namespace Specific.Jobs.Redaction;

/// <summary>
/// The simple transforms of a value that a command may print instead of the value: reversed, hex, spelled out with a
/// separator between its characters, and its 10-character slices.
/// </summary>
/// <remarks>
/// Decisions, so ordinary output stays readable:
/// <list type="bullet">
/// <item>Any case (the value, reversed, hex, spelled out) only for values of <see cref="SecretValueSet.WholeWordBelow"/>
/// characters or more: a short Secret "admin" must not blank out "Admin panel".</item>
/// <item>Slices only for values of <see cref="SliceFrom"/> characters or more, in the value's own case, and only a slice
/// that looks random: it mixes letters and digits or both letter cases, and holds no whitespace. So "postgres:/" of a
/// URL, "horse batt" of a passphrase, "passwordhe" or the digits of a long number stay readable.</item>
/// <item>Only single-line values of at most <see cref="MaxTransformedLength"/> characters: a key or certificate
/// bundle has thousands of windows and is caught whole, by its lines and by its shape.</item>
/// </list>
/// </remarks>
public static class SecretTransforms
{
    /// <summary>Values this long or longer are also matched by every slice of <see cref="SliceLength"/> characters.</summary>
    public const int SliceFrom = 16;

    /// <summary>How long a matched slice is.</summary>
    public const int SliceLength = 10;

    /// <summary>Longer values (and multi-line ones) get no transforms.</summary>
    public const int MaxTransformedLength = 1024;

    /// <summary>The single characters a value may be spelled out with: "s e c r e t", "s-e-c-r-e-t", "s.e.c.r.e.t".</summary>
    private static readonly char[] Separators = [' ', '-', '.', '_', ':', ',', '/', '|'];

    /// <summary>Adds the transforms of <paramref name="value"/> through <paramref name="add"/> (text, whether any case matches).</summary>
    public static void AddTo(string value, Action<string, bool> add)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(add);
        if (value.Length > MaxTransformedLength || value.Contains('\n', StringComparison.Ordinal))
        {
            return;
        }
        var anyCase = value.Length >= SecretValueSet.WholeWordBelow;
        add(value, anyCase);
        add(Reverse(value), anyCase);
        // Hex digits are one case or the other ("xxd -p" lower, many tools upper): any case covers both.
        add(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(value)), true);
        foreach (var separator in Separators)
        {
            add(string.Join(separator, value.ToCharArray()), anyCase);
        }
        if (value.Length >= SliceFrom)
        {
            for (var start = 0; start + SliceLength <= value.Length; start++)
            {
                var slice = value.Substring(start, SliceLength);
                if (LooksRandom(slice))
                {
                    add(slice, false);
                }
            }
        }
    }

    /// <summary>Mixes letters and digits, or both letter cases, and holds no whitespace.</summary>
    public static bool LooksRandom(ReadOnlySpan<char> slice)
    {
        bool lower = false, upper = false, digit = false;
        foreach (var c in slice)
        {
            if (char.IsWhiteSpace(c))
            {
                return false;
            }
            lower |= char.IsLower(c);
            upper |= char.IsUpper(c);
            digit |= char.IsDigit(c);
        }
        return ((lower || upper) && digit) || (lower && upper);
    }

    // By text element, so a surrogate pair or an accent stays whole when reversed.
    private static string Reverse(string value)
    {
        var elements = new List<string>(value.Length);
        var enumerator = StringInfo.GetTextElementEnumerator(value);
        while (enumerator.MoveNext())
        {
            elements.Add(enumerator.GetTextElement());
        }
        elements.Reverse();
        return string.Concat(elements);
    }
}
