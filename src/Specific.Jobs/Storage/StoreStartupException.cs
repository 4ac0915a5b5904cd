namespace Specific.Jobs.Storage;

/// <summary>
/// A store the bot cannot use at start-up (a file that is not a database, a folder where the file should be), told in
/// one line that names the file and the setting to check, so the host can say it without a stack trace.
/// </summary>
public sealed class StoreStartupException : Exception
{
    public StoreStartupException()
    {
    }

    public StoreStartupException(string message)
        : base(message)
    {
    }

    public StoreStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
