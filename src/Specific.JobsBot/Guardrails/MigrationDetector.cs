using System.Text;
using System.Text.RegularExpressions;

namespace Specific.JobsBot.Guardrails;

/// <summary>A command that looks like a database migration: which tool, and the words that gave it away.</summary>
public sealed record MigrationMatch(string Tool, string Excerpt)
{
    /// <summary>The warning shown before such a job may start, after the seed's rule.</summary>
    public string Warning =>
        $":warning: `{Excerpt}` looks like a database migration ({Tool}). Migrations belong in a `pre_deploy` hook: it runs before " +
        "the new version starts, and if it fails the deploy is aborted before any traffic reaches the new code. A job is " +
        "decoupled from deployments and has no such safety net. Run it only if you know why it cannot wait for a deploy.";
}

/// <summary>
/// Tells whether a shell command runs a database migration. It reads the command as the shell would split it
/// (quotes, <c>;</c> <c>&amp;&amp;</c> <c>||</c> <c>|</c>, <c>$(…)</c>, <c>sh -c '…'</c>) and looks only at the program each
/// part runs, after wrappers such as <c>bundle exec</c>, <c>npx</c> or <c>VAR=value</c>. A migration tool's name as an
/// argument (<c>echo rake db:migrate</c>, <c>grep db:migrate log.txt</c>) is not a migration; read-only subcommands
/// (<c>rake db:migrate:status</c>, <c>alembic current</c>, <c>flyway info</c>) are not either.
/// </summary>
public static partial class MigrationDetector
{
    private static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal) { "sudo", "exec", "time", "nohup", "env", "command", "nice", "npx", "pnpx", "bunx" };
    private static readonly HashSet<string> TwoWordWrappers = new(StringComparer.Ordinal) { "bundle exec", "poetry run", "pipenv run", "uv run", "pnpm exec", "yarn exec", "npm exec", "pdm run", "hatch run" };
    private static readonly HashSet<string> OptionsWithValues = new(StringComparer.Ordinal)
    {
        "sudo -u", "sudo -g", "sudo -C", "sudo -D", "sudo -h", "sudo -p", "sudo -r", "sudo -t", "sudo -U", "nice -n", "npx -p", "npx --package", "env -u", "env -C",
    };

    private static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "zsh", "dash", "ash" };
    private static readonly HashSet<string> Interpreters = new(StringComparer.Ordinal) { "python", "python3", "node", "ts-node", "ruby", "php", "bun", "deno" };

    /// <summary>The first part of <paramref name="command"/> that runs a migration, or null.</summary>
    public static MigrationMatch? Detect(string? command) => string.IsNullOrWhiteSpace(command) ? null : Detect(command, depth: 0);

    private static MigrationMatch? Detect(string command, int depth)
    {
        foreach (var segment in Split(command))
        {
            if (Match(segment, depth) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static MigrationMatch? Match(List<string> words, int depth)
    {
        var i = SkipWrappers(words, 0);
        if (i >= words.Count)
        {
            return null;
        }

        var program = ProgramName(words[i]);
        if (Shells.Contains(program))
        {
            // sh -c '…', bash -lc "…": the script is a command line of its own.
            var flag = words.FindIndex(i + 1, w => w.StartsWith('-') && !w.StartsWith("--", StringComparison.Ordinal) && w.Contains('c', StringComparison.Ordinal));
            return flag >= 0 && flag + 1 < words.Count && depth < 3 ? Detect(words[flag + 1], depth + 1) : null;
        }

        if (Interpreters.Contains(program) || PythonVersion().IsMatch(program))
        {
            // python -m alembic upgrade; python manage.py migrate; node node_modules/.bin/knex migrate:latest; php artisan migrate.
            var next = i + 1;
            while (next < words.Count && words[next].StartsWith('-') && words[next] != "-m")
            {
                next++;
            }

            if (next < words.Count && words[next] == "-m")
            {
                next++;
            }

            if (next >= words.Count)
            {
                return null;
            }

            i = next;
            program = ProgramName(words[i]);
        }

        var args = words.Skip(i + 1).ToList();
        var found = Classify(program, args);
        return found is null ? null : new MigrationMatch(found, Excerpt(words, i));
    }

    /// <summary>The tool a program and its arguments are, when they migrate a database; null otherwise.</summary>
    private static string? Classify(string program, List<string> args)
    {
        string? First() => args.FirstOrDefault(a => !a.StartsWith('-'));
        bool Any(Func<string, bool> test) => args.Any(a => !a.StartsWith('-') && test(a));
        var positional = args.Where(a => !a.StartsWith('-')).ToList();

        return program switch
        {
            "rails" or "rake" when Any(a => RailsTask().IsMatch(a)) => "Rails",
            "manage.py" or "django-admin" when First() == "migrate" => "Django",
            "alembic" when Any(a => a is "upgrade" or "downgrade") => "Alembic",
            "prisma" when positional is ["migrate", var sub, ..] && sub is "deploy" or "dev" or "reset" or "resolve" => "Prisma",
            "prisma" when positional is ["db", "push", ..] => "Prisma",
            "flyway" when Any(a => a is "migrate" or "undo" or "repair" or "clean" or "baseline") => "Flyway",
            // update-sql, rollbackSQL and the like only print the SQL.
            "liquibase" when Any(a => LiquibaseCommand().IsMatch(a) && !a.EndsWith("sql", StringComparison.OrdinalIgnoreCase)) => "Liquibase",
            "knex" when Any(a => a.StartsWith("migrate:", StringComparison.Ordinal) && a is not ("migrate:status" or "migrate:list" or "migrate:make" or "migrate:currentVersion")) => "Knex",
            "sequelize" or "sequelize-cli" when Any(a => a.StartsWith("db:migrate", StringComparison.Ordinal) && a != "db:migrate:status") => "Sequelize",
            "goose" when Any(a => a is "up" or "up-by-one" or "up-to" or "down" or "down-to" or "redo" or "reset") => "goose",
            "dotnet" when positional is ["ef", "database", "update" or "drop", ..] => "Entity Framework",
            "dotnet-ef" when positional is ["database", "update" or "drop", ..] => "Entity Framework",
            "artisan" when First() is { } task && task.StartsWith("migrate", StringComparison.Ordinal) && task != "migrate:status" => "Laravel",
            "mix" when Any(a => a is "ecto.migrate" or "ecto.rollback") => "Ecto",
            "migrate" when Any(a => a is "up" or "down" or "goto" or "force") => "golang-migrate",
            "sqlx" when positional is ["migrate", "run" or "revert", ..] => "SQLx",
            "diesel" when positional is ["migration", "run" or "revert" or "redo", ..] => "Diesel",
            "typeorm" or "typeorm-ts-node-commonjs" or "typeorm-ts-node-esm" when Any(a => a is "migration:run" or "migration:revert") => "TypeORM",
            "dbmate" when Any(a => a is "up" or "migrate" or "down" or "rollback") => "dbmate",
            "atlas" when positional is ["migrate" or "schema", "apply", ..] => "Atlas",
            "npm" when positional is ["run" or "run-script", var script, ..] && IsMigrateScript(script) => "an npm script",
            "yarn" or "pnpm" or "bun" when positional is [var first, ..] && (IsMigrateScript(first) || (first == "run" && positional.Count > 1 && IsMigrateScript(positional[1]))) => "a package script",
            // yarn knex migrate:latest, pnpm prisma migrate deploy: the package manager runs the tool.
            "yarn" or "pnpm" or "bun" when positional is [var tool, ..] && tool != "run" => Classify(ProgramName(tool), args.SkipWhile(a => a != tool).Skip(1).ToList()),
            _ => null,
        };
    }

    private static bool IsMigrateScript(string script) =>
        script.StartsWith("migrat", StringComparison.OrdinalIgnoreCase) || script.StartsWith("db:migrate", StringComparison.OrdinalIgnoreCase);

    private static int SkipWrappers(List<string> words, int i)
    {
        while (i < words.Count)
        {
            if (Assignment().IsMatch(words[i]) || Wrappers.Contains(ProgramName(words[i])))
            {
                var wrapper = ProgramName(words[i]);
                i++;
                // Options of a wrapper (npx -y, sudo -u app, nice -n 10) are skipped with it, and so are the values some take.
                while (i < words.Count && words[i].StartsWith('-'))
                {
                    i += OptionsWithValues.Contains($"{wrapper} {words[i]}") ? 2 : 1;
                }

                continue;
            }

            if (i + 1 < words.Count && TwoWordWrappers.Contains($"{ProgramName(words[i])} {words[i + 1]}"))
            {
                i += 2;
                continue;
            }

            return i;
        }

        return i;
    }

    /// <summary>bin/rails, ./manage.py, node_modules/.bin/knex → rails, manage.py, knex.</summary>
    private static string ProgramName(string word)
    {
        var slash = word.LastIndexOf('/');
        return slash >= 0 ? word[(slash + 1)..] : word;
    }

    private static string Excerpt(List<string> words, int from)
    {
        var text = string.Join(' ', words.Skip(from).Take(5));
        return (text.Length <= 80 ? text : text[..79] + "…").Replace('`', '\'');
    }

    /// <summary>
    /// Splits a command line into simple commands of unquoted words, the way a POSIX shell would: quotes group, a backslash
    /// escapes, and <c>; &amp; | ( ) ` $( newline</c> end a command. Comments are dropped.
    /// </summary>
    internal static List<List<string>> Split(string command)
    {
        var segments = new List<List<string>>();
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;

        void EndWord()
        {
            if (inWord)
            {
                words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
        }

        void EndSegment()
        {
            EndWord();
            if (words.Count > 0)
            {
                segments.Add(words);
                words = [];
            }
        }

        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            switch (c)
            {
                case '\\' when i + 1 < command.Length:
                    i++;
                    if (command[i] != '\n')
                    {
                        word.Append(command[i]);
                        inWord = true;
                    }

                    break;
                case '\'':
                    var close = command.IndexOf('\'', i + 1);
                    close = close < 0 ? command.Length : close;
                    word.Append(command, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    for (i++; i < command.Length && command[i] != '"'; i++)
                    {
                        if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        word.Append(command[i]);
                    }

                    break;
                case '#' when !inWord:
                    while (i + 1 < command.Length && command[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '$' when i + 1 < command.Length && command[i + 1] == '(':
                    EndSegment();
                    i++;
                    break;
                case ';' or '&' or '|' or '(' or ')' or '`' or '\n' or '\r':
                    EndSegment();
                    break;
                default:
                    if (char.IsWhiteSpace(c))
                    {
                        EndWord();
                    }
                    else
                    {
                        word.Append(c);
                        inWord = true;
                    }

                    break;
            }
        }

        EndSegment();
        return segments;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^python\d+(\.\d+)?$")]
    private static partial Regex PythonVersion();

    [GeneratedRegex(@"^db:(migrate(:(up|down|redo|reset))?|rollback|schema:load|structure:load|setup|reset|prepare)$")]
    private static partial Regex RailsTask();

    [GeneratedRegex(@"^(update|rollback|drop-?all|changelog-sync|update-count|update-to-tag|rollback-count|rollback-to-date)", RegexOptions.IgnoreCase)]
    private static partial Regex LiquibaseCommand();
}
