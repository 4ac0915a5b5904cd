using System.Text.RegularExpressions;
using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>
/// Expand, then contract: while an upgrade rolls, the previous release's pods keep reading and writing the schema the
/// new release migrated, so a migration only adds (tables, indexes, nullable columns or columns with a default).
/// Dropping, renaming, changing a type or tightening a column breaks them; such a contract step belongs in a later
/// release, once no pod of the old one runs, and is named below with why it is safe.
/// </summary>
public sealed partial class MigrationRulesTests
{
    /// <summary>Every schema history the stores keep, by a name for the messages.</summary>
    public static TheoryData<string> Histories => [.. All.Keys];

    private static readonly Dictionary<string, IReadOnlyList<Migration>> All = new()
    {
        ["SQLite job store"] = SqliteMigrations.All,
        ["PostgreSQL job store"] = PostgresMigrations.All,
        ["SQLite log store"] = SqliteLogStore.Migrations,
        ["PostgreSQL log store"] = PostgresLogStore.Migrations,
    };

    /// <summary>Steps that break the rule in form but are safe beside the previous release, each with why.</summary>
    private static readonly Dictionary<(string History, int Version), string> ReviewedExceptions = new()
    {
        // SQLite cannot change a CHECK constraint in place, so widening one rebuilds the table: same columns, same
        // ids, under the write lock in the migration's one transaction. It only widens (adds 'logs'): every row the
        // previous release writes still passes, and its reads see the same columns.
        [("SQLite job store", 3)] = "audit_entries rebuilt to widen its action CHECK",
        // Drops the action CHECK and adds the wider one in the same transaction: old pods' rows all still pass.
        [("PostgreSQL job store", 3)] = "audit_entries' action CHECK replaced by a wider one",
        // Four-eyes approvals widen the audit CHECKs the same ways (new actions approve/deny/withdraw/expire and the
        // outcome approval_requested); the rest of both steps only adds (the approvals table, jobs.approved_by).
        [("SQLite job store", 9)] = "audit_entries rebuilt to widen its action and outcome CHECKs",
        [("PostgreSQL job store", 10)] = "audit_entries' action and outcome CHECKs replaced by wider ones",
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void Every_step_only_adds_so_the_previous_release_keeps_working_beside_it(string history)
    {
        var breaking = All[history]
            .Where(step => !ReviewedExceptions.ContainsKey((history, step.Version)))
            .Select(step => (step, problem: ContractProblem(step.Sql)))
            .Where(found => found.problem is not null)
            .Select(found => $"{history} step {found.step.Version} ({found.step.Name}): {found.problem}")
            .ToList();

        Assert.True(breaking.Count == 0,
            "A migration must only add (README, Upgrade and rollback). Split it: add now, remove in a later release, "
            + "and name that step in ReviewedExceptions with why it is safe:\n" + string.Join('\n', breaking));
    }

    [Fact]
    public void Each_reviewed_exception_names_a_step_that_still_needs_it()
    {
        foreach (var ((history, version), why) in ReviewedExceptions)
        {
            var step = Assert.Single(All[history], step => step.Version == version);
            Assert.True(ContractProblem(step.Sql) is not null, $"{history} step {version} ({why}) no longer breaks the rule: remove its exception.");
        }
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public void Steps_are_numbered_from_one_without_gaps(string history)
    {
        Assert.Equal(Enumerable.Range(1, All[history].Count), All[history].Select(step => step.Version));
    }

    [Theory]
    [InlineData("ALTER TABLE jobs DROP COLUMN image;", "DROP")]
    [InlineData("DROP INDEX jobs_recent;", "DROP")]
    [InlineData("ALTER TABLE jobs RENAME COLUMN image TO image_ref;", "RENAME")]
    [InlineData("ALTER TABLE {schema}.jobs ALTER COLUMN exit_code TYPE bigint;", "ALTER COLUMN")]
    [InlineData("ALTER TABLE {schema}.jobs ALTER COLUMN image SET NOT NULL;", "ALTER COLUMN")]
    [InlineData("ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL;", "NOT NULL without a DEFAULT")]
    [InlineData("ALTER TABLE {schema}.jobs ADD CONSTRAINT jobs_service_check CHECK (service <> '');", "ADD CONSTRAINT")]
    public void The_rule_catches_what_breaks_the_previous_release(string sql, string named)
    {
        Assert.Contains(named, ContractProblem(sql), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CREATE TABLE t (a TEXT NOT NULL); CREATE INDEX t_a ON t (a);")]
    [InlineData("ALTER TABLE jobs ADD COLUMN owner TEXT;")]
    [InlineData("ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;")]
    [InlineData("-- not dropped: the old column stays until a later release\nALTER TABLE jobs ADD COLUMN owner TEXT;")]
    public void The_rule_lets_additions_through(string sql)
    {
        Assert.Null(ContractProblem(sql));
    }

    /// <summary>Null when the SQL only adds; otherwise what in it would break the previous release.</summary>
    private static string? ContractProblem(string sql)
    {
        var code = Comment().Replace(sql, string.Empty);
        if (Drop().IsMatch(code))
        {
            return "DROP removes what the previous release reads";
        }

        if (Rename().IsMatch(code))
        {
            return "RENAME moves what the previous release reads";
        }

        if (AlterColumn().IsMatch(code))
        {
            return "ALTER COLUMN changes a column the previous release reads and writes";
        }

        if (AddConstraint().IsMatch(code))
        {
            return "ADD CONSTRAINT may refuse the previous release's writes";
        }

        return AddColumn().Matches(code).Select(m => m.Value).FirstOrDefault(column =>
            NotNull().IsMatch(column) && !Default().IsMatch(column)) is { } strict
            ? $"NOT NULL without a DEFAULT refuses the previous release's inserts: {strict.Trim()}"
            : null;
    }

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"\bDROP\b", RegexOptions.IgnoreCase)]
    private static partial Regex Drop();

    [GeneratedRegex(@"\bRENAME\b", RegexOptions.IgnoreCase)]
    private static partial Regex Rename();

    [GeneratedRegex(@"\bALTER\s+COLUMN\b", RegexOptions.IgnoreCase)]
    private static partial Regex AlterColumn();

    [GeneratedRegex(@"\bADD\s+CONSTRAINT\b", RegexOptions.IgnoreCase)]
    private static partial Regex AddConstraint();

    [GeneratedRegex(@"\bADD\s+COLUMN\b[^,;]*", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumn();

    [GeneratedRegex(@"\bNOT\s+NULL\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotNull();

    [GeneratedRegex(@"\bDEFAULT\b", RegexOptions.IgnoreCase)]
    private static partial Regex Default();
}
