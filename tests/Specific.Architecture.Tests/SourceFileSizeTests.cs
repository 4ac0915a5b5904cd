namespace Specific.Architecture.Tests;

/// <summary>Rule a: a source file is short enough to read as one idea.</summary>
public sealed class SourceFileSizeTests
{
    private const int MaxLines = 450;

    [Fact]
    public void No_source_file_in_src_is_longer_than_450_lines()
    {
        var tooLong = Repository.SourceFiles(Repository.Src)
            .Select(path => (File: Repository.Relative(path), Lines: LineCount(path)))
            .Where(file => file.Lines > MaxLines)
            .OrderByDescending(file => file.Lines)
            .ThenBy(file => file.File, StringComparer.Ordinal)
            .ToList();

        if (tooLong.Count > 0)
        {
            Assert.Fail(
                $"{tooLong.Count} C# files in src/ are longer than {MaxLines} lines (counted as wc -l does):\n" +
                string.Concat(tooLong.Select(file => $"  {file.File}: {file.Lines} lines\n")) +
                "What to do: split each file so that it holds one idea, e.g. move a group of members that belong together " +
                "into a type (or a partial file) of its own, named for what it does.");
        }
    }

    // wc -l counts newline characters, so a last line without one does not count.
    private static int LineCount(string path) => File.ReadAllBytes(path).Count(b => b == (byte)'\n');
}
