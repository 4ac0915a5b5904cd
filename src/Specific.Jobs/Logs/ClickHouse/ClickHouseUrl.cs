using ClickHouse.Driver.ADO;

namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>Client settings from a ClickHouse HTTP URL such as <c>http://user:password@host:8123</c> (user "default" when none is given).</summary>
public static class ClickHouseUrl
{
    public static ClickHouseClientSettings ToSettings(Uri url, string database)
    {
        ArgumentNullException.ThrowIfNull(url);
        var userInfo = url.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(userInfo[0]);
        return new ClickHouseClientSettings
        {
            Host = url.Host,
            Port = (ushort)url.Port,
            Protocol = url.Scheme,
            Username = string.IsNullOrEmpty(user) ? "default" : user,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "",
            Database = database,
        };
    }
}
