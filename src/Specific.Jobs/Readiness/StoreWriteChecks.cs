using Specific.Jobs.Logs;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Readiness;

/// <summary>
/// Readiness's answer to "can the stores still write?": each SQLite store's <see cref="SqliteWriteProbe"/> and the
/// PostgreSQL job store's <see cref="PostgresWriteProbe"/>, asked at
/// most once every <see cref="KeptFor"/> however often /readyz is probed, concurrent probes sharing one round.
/// Write failures the thread keeper or the job flow meet on their own do not feed it: the heartbeat goes through the
/// same pool to the same file every round, so it meets a full disk or a vanished file as they do, while one request's
/// failure (a constraint, a cancelled write) says nothing about the replica.
/// </summary>
public sealed class StoreWriteChecks(IReadOnlyList<IStoreWriteProbe> probes, TimeProvider time)
{
    /// <summary>How long one round's answer stands: a write per store every couple of seconds at most.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (StoreWriteProblem? Problem, long Round, DateTimeOffset Until)? _answer;
    private long _roundsBegun;

    /// <summary>The probes of these stores: the PostgreSQL job store's heartbeat, and each SQLite file's.</summary>
    public static IReadOnlyList<IStoreWriteProbe> For(IJobStore jobs, ILogStore logs, TimeProvider time) =>
        [.. jobs is PostgresJobStore postgres ? [new PostgresWriteProbe(postgres, time)] : Array.Empty<IStoreWriteProbe>(), .. SqliteWriteProbe.For(jobs, logs, time)];

    /// <summary>The stores probed: each SQLite file, and the PostgreSQL job store.</summary>
    public IReadOnlyList<IStoreWriteProbe> Probes => probes;

    /// <summary>
    /// Null when every store's writes reach its file; otherwise the first problem, naming the file and what to do, a
    /// replica-local one (a SQLite file) before one every replica shares (PostgreSQL).
    /// </summary>
    public Task<StoreWriteProblem?> ProblemAsync(CancellationToken cancellationToken) => ProblemAsync(after: null, cancellationToken);

    /// <summary>How many rounds have begun: a caller notes it before it uses a store, to ask later for a newer answer.</summary>
    public long RoundsBegun => Interlocked.Read(ref _roundsBegun);

    /// <summary>
    /// As <see cref="ProblemAsync(CancellationToken)"/>, from a round begun after the <paramref name="after"/>th: for a
    /// caller that saw the store fail after the kept answer was taken (a file moved within <see cref="KeptFor"/> of the last round).
    /// </summary>
    public async Task<StoreWriteProblem?> ProblemAsync(long? after, CancellationToken cancellationToken)
    {
        if (Fresh(after) is { } known)
        {
            return known.Problem;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(after) is { } shared)
            {
                return shared.Problem;
            }

            var round = Interlocked.Increment(ref _roundsBegun);

            StoreWriteProblem? problem = null;
            foreach (var probe in probes)
            {
                if (problem is { SharedByReplicas: false })
                {
                    break;
                }

                var found = await probe.ProblemAsync(cancellationToken);
                if (found is not null && (problem is null || !probe.SharedByReplicas))
                {
                    problem = new StoreWriteProblem(found, probe.SharedByReplicas);
                }
            }

            _answer = (problem, round, time.GetUtcNow() + KeptFor);
            return problem;
        }
        finally
        {
            _gate.Release();
        }
    }

    private (StoreWriteProblem? Problem, long Round, DateTimeOffset Until)? Fresh(long? after) =>
        _answer is { } answer && answer.Until > time.GetUtcNow() && (after is null || answer.Round > after) ? answer : null;
}

/// <summary>What a store's write probe found wrong, and whether every replica shares that store (so shares the fault).</summary>
public sealed record StoreWriteProblem(string Description, bool SharedByReplicas);
