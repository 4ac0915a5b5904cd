using Specific.Jobs.Logs;
using Specific.Jobs.Testing;

namespace Specific.Jobs.Tests.Logs;

/// <summary>The shared fake honours the same contract as the real stores, so unit tests built on it mean something.</summary>
public sealed class InMemoryLogStoreTests : LogStoreContract
{
    protected override Task<ILogStore> OpenAsync() => Task.FromResult<ILogStore>(new InMemoryLogStore());

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
