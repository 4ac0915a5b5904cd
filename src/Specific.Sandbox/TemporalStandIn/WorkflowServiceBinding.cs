using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Temporalio.Api.WorkflowService.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>
/// Binds every method of temporal.api.workflowservice.v1.WorkflowService from the descriptor the Temporalio package ships:
/// the implemented ones go to <see cref="WorkflowServiceEndpoint"/>, the rest answer UNIMPLEMENTED naming the method.
/// </summary>
internal sealed class WorkflowServiceBinding : IServiceMethodProvider<WorkflowServiceEndpoint>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<WorkflowServiceEndpoint> context)
    {
        var service = ServiceReflection.Descriptor.Services.Single(s => s.Name == "WorkflowService");
        foreach (var method in service.Methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
        {
            var name = method.Name;
            context.AddUnaryMethod(
                new Method<IMessage, IMessage>(MethodType.Unary, service.FullName, name, MarshallerFor(method.InputType), MarshallerFor(method.OutputType)),
                [],
                (endpoint, request, call) => endpoint.HandleAsync(name, request, call));
        }
    }

    private static Marshaller<IMessage> MarshallerFor(MessageDescriptor type) =>
        Marshallers.Create(message => message.ToByteArray(), bytes => type.Parser.ParseFrom(bytes));
}
