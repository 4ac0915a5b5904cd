namespace Specific.Jobs.Storage;

/// <summary>
/// The WHERE clause of a list query and its parameters, written once for both SQL dialects: they differ only in the
/// parameter prefix ('@' for PostgreSQL, '$' for SQLite), and each store adds the parameters its own way.
/// </summary>
internal sealed class SqlWhere
{
    private readonly char _prefix;
    private readonly List<string> _conditions = [];
    private readonly List<KeyValuePair<string, string>> _parameters = [];

    private SqlWhere(char parameterPrefix) => _prefix = parameterPrefix;

    /// <summary>The filters of a job list: service, environment, channel, requester, unfinished only, and a recorded cancel.</summary>
    public static SqlWhere For(JobQuery query, char parameterPrefix)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new SqlWhere(parameterPrefix)
            .Equal("service", "service", query.Service)
            .Equal("environment", "environment", query.Environment)
            .Equal("origin_channel_id", "channel_id", query.ChannelId)
            .Equal("origin_user_id", "user_id", query.UserId)
            .When(query.UnfinishedOnly, "state IN ('pending', 'queued', 'running')")
            .When(query.CancelRequestedOnly, "cancel_requested_at IS NOT NULL");
    }

    /// <summary>The filters of an audit list: environment and service.</summary>
    public static SqlWhere For(AuditQuery query, char parameterPrefix)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new SqlWhere(parameterPrefix)
            .Equal("environment", "environment", query.Environment)
            .Equal("service", "service", query.Service);
    }

    /// <summary>"WHERE …" joining the filters with AND, or empty when there are none.</summary>
    public string Clause => _conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", _conditions);

    /// <summary>The text parameters the clause names, by name without the prefix.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters => _parameters;

    private SqlWhere Equal(string column, string parameter, string? value)
    {
        if (value is not null)
        {
            _conditions.Add($"{column} = {_prefix}{parameter}");
            _parameters.Add(new(parameter, value));
        }

        return this;
    }

    private SqlWhere When(bool applies, string condition)
    {
        if (applies)
        {
            _conditions.Add(condition);
        }

        return this;
    }
}
