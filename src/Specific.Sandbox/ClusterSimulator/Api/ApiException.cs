using k8s.Models;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>A refusal the API server would send: carries the exact <c>Status</c> object and HTTP code.</summary>
internal sealed class ApiException(V1Status status) : Exception(status.Message)
{
    public V1Status Status { get; } = status;

    public static V1Status Failure(int code, string reason, string message, V1StatusDetails? details = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Message = message,
        Reason = reason,
        Details = details,
        Code = code,
    };

    private static V1StatusDetails DetailsOf(ResourceType type, string name) => new()
    {
        Name = name,
        Group = type.Group.Length == 0 ? null : type.Group,
        Kind = type.Plural,
    };

    public static ApiException NotFound(ResourceType type, string name) =>
        new(Failure(404, "NotFound", $"{type.QualifiedName} \"{name}\" not found", DetailsOf(type, name)));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(Failure(409, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", DetailsOf(type, name)));

    public static ApiException Conflict(ResourceType type, string name) =>
        new(Failure(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsOf(type, name)));

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var summary = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        return new(Failure(422, "Invalid", $"{type.QualifiedKind} \"{name}\" is invalid: {summary}", new V1StatusDetails
        {
            Name = name,
            Group = type.Group.Length == 0 ? null : type.Group,
            Kind = type.Kind,
            Causes = [.. errors.Select(e => new V1StatusCause { Reason = e.Reason, Message = e.Detail, Field = e.Field })],
        }));
    }

    /// <summary>What RBAC answers a service account without the verb, worded as the API server words it.</summary>
    public static ApiException Forbidden(ResourceType type, string verb, string name, string? ns) =>
        new(Failure(403, "Forbidden",
            $"{type.QualifiedName} \"{name}\" is forbidden: User \"system:serviceaccount:specific-jobs:specific-jobs-bot\" cannot {verb} resource \"{type.Plural}\" " +
            $"in API group \"{type.Group}\"{(ns is null ? " at the cluster scope" : $" in the namespace \"{ns}\"")}",
            DetailsOf(type, name)));

    public static ApiException BadRequest(string message) => new(Failure(400, "BadRequest", message));

    public static ApiException Gone(string message) => new(Failure(410, "Expired", message));

    public static ApiException MethodNotAllowed() =>
        new(Failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));

    public static ApiException PathNotFound() => new(Failure(404, "NotFound", "the server could not find the requested resource"));
}

/// <summary>One field-level validation failure, worded like apimachinery's field.Error.</summary>
internal sealed record FieldError(string Field, string Reason, string Detail)
{
    public static FieldError Required(string field, string detail = "") =>
        new(field, "FieldValueRequired", detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    public static FieldError Invalid(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: {value}: {detail}");

    public static FieldError NotSupported(string field, string value, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported", $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");

    public static FieldError Duplicate(string field, string value) =>
        new(field, "FieldValueDuplicate", $"Duplicate value: \"{value}\"");

    public override string ToString() => $"{Field}: {Detail}";
}
