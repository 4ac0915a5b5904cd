using System.Runtime.CompilerServices;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Logs;

/// <summary>
/// A whole log read a page at a time from the last line read, so it is never whole in memory and a line appended
/// meanwhile is still reached. Every store's <see cref="ILogStore.ReadAllAsync"/> is this loop over its own page read.
/// </summary>
public static class LogPages
{
    /// <param name="readAfter">Up to pageSize lines after the given line number, in order.</param>
    public static async IAsyncEnumerable<LogLine> ReadAllAsync(
        Func<long, int, CancellationToken, Task<IReadOnlyList<LogLine>>> readAfter,
        int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(readAfter);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var after = 0L;
        while (true)
        {
            var page = await readAfter(after, pageSize, cancellationToken);
            foreach (var line in page)
            {
                yield return line;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            after = page[^1].Number;
        }
    }
}
