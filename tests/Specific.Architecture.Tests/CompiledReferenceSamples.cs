// Two made-up folders for CompiledReferenceSelfTests: SampleUpstairs uses SampleDownstairs in ways a using line would not show.
namespace Specific.Architecture.Tests.SampleDownstairs
{
    /// <summary>Used from a lambda.</summary>
    internal static class Counted
    {
        public static int Count(int value) => value + 1;
    }

    /// <summary>Used only as a parameter type.</summary>
    internal sealed record Lent(int Value);

    /// <summary>Used only inside an async method.</summary>
    internal sealed record Awaited(int Value);
}

namespace Specific.Architecture.Tests.SampleUpstairs
{
    /// <summary>Uses the sample types below it by their full names, with no using line.</summary>
    internal static class Caller
    {
        public static Func<int, int> Counter() => value => SampleDownstairs.Counted.Count(value);

        public static int Borrow(SampleDownstairs.Lent lent) => lent.Value;

        public static async Task<int> WaitAsync()
        {
            await Task.Yield();
            return new SampleDownstairs.Awaited(1).Value;
        }
    }
}
