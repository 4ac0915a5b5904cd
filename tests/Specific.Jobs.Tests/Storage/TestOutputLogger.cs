using Microsoft.Extensions.Logging;

namespace Specific.Jobs.Tests.Storage;

/// <summary>Writes a component's log to the running test's output, so a failing test shows what the component saw.</summary>
public sealed class TestOutputLogger<T> : ILogger<T>
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended; its output is closed.
        }
    }
}
