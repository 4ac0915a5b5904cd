using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Specific.Jobs.Domain;

/// <summary>The one registration of <see cref="EnvironmentsOptions"/>, which every part that reads environments calls.</summary>
public static class EnvironmentsServiceCollectionExtensions
{
    /// <summary>Binds the "Environments" section and checks it at start; a second call changes nothing.</summary>
    public static IServiceCollection AddEnvironments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(IsEnvironmentsValidator))
        {
            return services;
        }

        services.AddOptions<EnvironmentsOptions>().Bind(configuration.GetSection(EnvironmentsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EnvironmentsOptions>, EnvironmentsOptionsValidator>();
        return services;
    }

    private static bool IsEnvironmentsValidator(ServiceDescriptor service) =>
        service.ServiceType == typeof(IValidateOptions<EnvironmentsOptions>)
        && service.ImplementationType == typeof(EnvironmentsOptionsValidator);
}
