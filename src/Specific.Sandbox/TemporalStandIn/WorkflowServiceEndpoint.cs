using Google.Protobuf;
using Grpc.Core;
using Temporalio.Api.WorkflowService.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>The stand-in's WorkflowService: routes each implemented method to the part of the stand-in that owns it.</summary>
internal sealed class WorkflowServiceEndpoint(NamespaceService namespaces, WorkflowExecutions executions, WorkflowQueries queries, WorkflowTaskService workflowTasks, ActivityTaskService activityTasks)
{
    public async Task<IMessage> HandleAsync(string method, IMessage request, ServerCallContext call)
    {
        if (request.Descriptor.FindFieldByName("namespace") is { } field && field.Accessor.GetValue(request) is string ns)
        {
            namespaces.Require(ns);
        }
        return method switch
        {
            "GetSystemInfo" => NamespaceService.GetSystemInfo(),
            "DescribeNamespace" => namespaces.Describe((DescribeNamespaceRequest)request),
            "ListNamespaces" => namespaces.List(),
            "StartWorkflowExecution" => executions.Start((StartWorkflowExecutionRequest)request),
            "DescribeWorkflowExecution" => queries.Describe((DescribeWorkflowExecutionRequest)request),
            "ListWorkflowExecutions" => queries.List((ListWorkflowExecutionsRequest)request),
            "GetWorkflowExecutionHistory" => await executions.GetHistoryAsync((GetWorkflowExecutionHistoryRequest)request, call),
            "RequestCancelWorkflowExecution" => executions.RequestCancel((RequestCancelWorkflowExecutionRequest)request),
            "TerminateWorkflowExecution" => executions.Terminate((TerminateWorkflowExecutionRequest)request),
            "PollWorkflowTaskQueue" => await workflowTasks.PollAsync((PollWorkflowTaskQueueRequest)request, call),
            "RespondWorkflowTaskCompleted" => workflowTasks.Complete((RespondWorkflowTaskCompletedRequest)request),
            "RespondWorkflowTaskFailed" => workflowTasks.Fail((RespondWorkflowTaskFailedRequest)request),
            "ShutdownWorker" => workflowTasks.ShutdownWorker((ShutdownWorkerRequest)request),
            "PollActivityTaskQueue" => await activityTasks.PollAsync((PollActivityTaskQueueRequest)request, call),
            "RespondActivityTaskCompleted" => activityTasks.Complete((RespondActivityTaskCompletedRequest)request),
            "RespondActivityTaskFailed" => activityTasks.Fail((RespondActivityTaskFailedRequest)request),
            "RespondActivityTaskCanceled" => activityTasks.Canceled((RespondActivityTaskCanceledRequest)request),
            "RecordActivityTaskHeartbeat" => activityTasks.Heartbeat((RecordActivityTaskHeartbeatRequest)request),
            _ => throw StandInErrors.Unimplemented(method),
        };
    }
}
