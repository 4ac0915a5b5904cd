using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>Commands that migrate a database are caught, by tool; commands that only mention one are not.</summary>
public sealed class MigrationDetectorTests
{
    [Theory]
    [InlineData("rails db:migrate", "Rails")]
    [InlineData("bin/rails db:migrate RAILS_ENV=production", "Rails")]
    [InlineData("bundle exec rake db:migrate", "Rails")]
    [InlineData("rake db:rollback STEP=2", "Rails")]
    [InlineData("python manage.py migrate --noinput", "Django")]
    [InlineData("./manage.py migrate app 0042", "Django")]
    [InlineData("python3 -u manage.py migrate", "Django")]
    [InlineData("django-admin migrate --settings=site.prod", "Django")]
    [InlineData("alembic upgrade head", "Alembic")]
    [InlineData("alembic -c alembic.ini downgrade -1", "Alembic")]
    [InlineData("python -m alembic upgrade head", "Alembic")]
    [InlineData("npx prisma migrate deploy", "Prisma")]
    [InlineData("pnpm prisma migrate deploy", "Prisma")]
    [InlineData("prisma db push --accept-data-loss", "Prisma")]
    [InlineData("flyway -url=jdbc:postgresql://db/app migrate", "Flyway")]
    [InlineData("/flyway/flyway repair", "Flyway")]
    [InlineData("liquibase --changelog-file=db.xml update", "Liquibase")]
    [InlineData("liquibase rollbackCount 1", "Liquibase")]
    [InlineData("knex migrate:latest", "Knex")]
    [InlineData("yarn knex migrate:rollback --all", "Knex")]
    [InlineData("node node_modules/.bin/knex migrate:up", "Knex")]
    [InlineData("npx sequelize-cli db:migrate", "Sequelize")]
    [InlineData("sequelize db:migrate:undo:all", "Sequelize")]
    [InlineData("goose -dir db/migrations postgres \"$DATABASE_URL\" up", "goose")]
    [InlineData("goose down", "goose")]
    [InlineData("dotnet ef database update --connection \"$DB\"", "Entity Framework")]
    [InlineData("dotnet-ef database update", "Entity Framework")]
    [InlineData("php artisan migrate --force", "Laravel")]
    [InlineData("mix ecto.migrate", "Ecto")]
    [InlineData("migrate -path db -database \"$DB\" up", "golang-migrate")]
    [InlineData("sqlx migrate run", "SQLx")]
    [InlineData("diesel migration run", "Diesel")]
    [InlineData("npx typeorm migration:run -d dist/data-source.js", "TypeORM")]
    [InlineData("dbmate up", "dbmate")]
    [InlineData("atlas migrate apply --env prod", "Atlas")]
    [InlineData("npm run migrate", "an npm script")]
    [InlineData("yarn migrate:prod", "a package script")]
    public void Migration_tool_is_recognised(string command, string tool)
    {
        var match = MigrationDetector.Detect(command);

        Assert.NotNull(match);
        Assert.Equal(tool, match.Tool);
        Assert.Contains("pre_deploy", match.Warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cd /app && bundle exec rake db:migrate")]
    [InlineData("echo start; rails db:migrate; echo done")]
    [InlineData("RAILS_ENV=production DISABLE_SPRING=1 bundle exec rails db:migrate")]
    [InlineData("sh -c 'python manage.py migrate'")]
    [InlineData("bash -lc \"cd /srv && alembic upgrade head\"")]
    [InlineData("true || knex migrate:latest")]
    [InlineData("echo $(rake db:migrate)")]
    [InlineData("sudo -u app env DB=x goose up")]
    [InlineData("set -e\nbin/rails db:migrate\necho ok")]
    public void Migration_hidden_in_a_longer_command_line_is_found(string command)
    {
        Assert.NotNull(MigrationDetector.Detect(command));
    }

    [Theory]
    [InlineData("echo migrate")]
    [InlineData("echo rake db:migrate")]
    [InlineData("echo 'rails db:migrate'")]
    [InlineData("grep db:migrate log.txt")]
    [InlineData("grep -r 'alembic upgrade' docs/")]
    [InlineData("cat db/migrate/20240101_add_users.rb")]
    [InlineData("ls db/migrations")]
    [InlineData("rake db:migrate:status")]
    [InlineData("rails runner 'puts User.count'")]
    [InlineData("python manage.py showmigrations")]
    [InlineData("python manage.py makemigrations --check")]
    [InlineData("alembic current")]
    [InlineData("alembic history --verbose")]
    [InlineData("npx prisma migrate status")]
    [InlineData("flyway info")]
    [InlineData("liquibase status")]
    [InlineData("liquibase update-sql")]
    [InlineData("knex migrate:status")]
    [InlineData("dotnet ef migrations list")]
    [InlineData("goose status")]
    [InlineData("npm run build")]
    [InlineData("./scripts/backfill --since 2024-01-01 # not a migrate")]
    [InlineData("psql \"$DATABASE_URL\" -c 'select count(*) from schema_migrations'")]
    [InlineData("")]
    public void Command_that_only_mentions_a_migration_is_not_one(string command)
    {
        Assert.Null(MigrationDetector.Detect(command));
    }

    [Fact]
    public void Warning_quotes_the_command_it_matched()
    {
        var match = MigrationDetector.Detect("cd /app && bundle exec rake db:migrate VERSION=20240101");

        Assert.Equal("rake db:migrate VERSION=20240101", match!.Excerpt);
        Assert.StartsWith(":warning: `rake db:migrate VERSION=20240101` looks like a database migration (Rails).", match.Warning, StringComparison.Ordinal);
    }
}
