using k8s.Models;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

public sealed class PodDiagnosisTests
{
    private static V1Pod PodWithClaim(string volume, string claim) => new()
    {
        Metadata = new V1ObjectMeta { Name = "specific-job-abc-x1" },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app" }],
            Volumes =
            [
                new V1Volume { Name = "tls", Secret = new V1SecretVolumeSource { SecretName = "tls" } },
                new V1Volume { Name = volume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } },
            ],
        },
    };

    private static Corev1Event Event(string reason, string message, string type = "Warning") => new()
    {
        Reason = reason,
        Message = message,
        Type = type,
        InvolvedObject = new V1ObjectReference { Name = "specific-job-abc-x1" },
        Metadata = new V1ObjectMeta(),
    };

    [Theory]
    [InlineData("StartError", "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"sh\": executable file not found in $PATH: unknown")]
    [InlineData("ContainerCannotRun", "OCI runtime create failed: container_linux.go:380: starting container process caused: exec: \"sh\": executable file not found in $PATH")]
    [InlineData("RunContainerError", "exec: \"sh\": stat sh: no such file or directory")]
    public void Missing_sh_is_recognised_in_the_runtime_messages(string reason, string message)
    {
        Assert.True(PodDiagnosis.IsMissingShell(reason, message));
    }

    [Theory]
    [InlineData("Error", "bash: shell: command not found")]
    [InlineData("StartError", "exec: \"/app/server\": permission denied")]
    [InlineData("ImagePullBackOff", "exec: \"sh\": executable file not found")]
    public void Other_start_failures_are_not_taken_for_a_missing_sh(string reason, string message)
    {
        Assert.False(PodDiagnosis.IsMissingShell(reason, message));
    }

    [Fact]
    public void Multi_attach_names_the_claim_and_the_pods_holding_it()
    {
        var reason = PodDiagnosis.MultiAttachReason(
            PodWithClaim("data", "web-data"),
            [Event("Scheduled", "assigned", "Normal"), Event("FailedAttachVolume", "Multi-Attach error for volume \"pvc-8f1c\" Volume is already used by pod(s) web-7d9c-abcde, web-7d9c-fghij")]);

        Assert.Equal(
            "The volume `web-data` is ReadWriteOnce and already attached to another node (used by pod(s) web-7d9c-abcde, web-7d9c-fghij); " +
            "the job cannot start while the service runs there. See the PVC caveat.",
            reason);
    }

    [Fact]
    public void Other_attach_failures_are_not_multi_attach()
    {
        Assert.Null(PodDiagnosis.MultiAttachReason(
            PodWithClaim("data", "web-data"),
            [Event("FailedAttachVolume", "AttachVolume.Attach failed for volume \"pvc-8f1c\" : rpc error: timed out")]));
    }

    [Fact]
    public void Unschedulable_comes_from_the_pod_scheduled_condition()
    {
        var pod = new V1Pod
        {
            Status = new V1PodStatus
            {
                Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/2 nodes are available" }],
            },
        };

        Assert.True(PodDiagnosis.IsUnschedulable(pod, out var message));
        Assert.Equal("0/2 nodes are available", message);
        Assert.False(PodDiagnosis.IsUnschedulable(new V1Pod { Status = new V1PodStatus() }, out _));
    }

    [Theory]
    [InlineData("registry.example.com/web:7", "docker-pullable://registry.example.com/web@sha256:abc", "registry.example.com/web:7@sha256:abc")]
    [InlineData("nginx:1.27", "docker.io/library/nginx@sha256:def", "nginx:1.27@sha256:def")]
    [InlineData("nginx:1.27", "sha256:0f0f", "nginx:1.27@sha256:0f0f")]
    [InlineData("nginx@sha256:aaa", "docker.io/library/nginx@sha256:aaa", "nginx@sha256:aaa")]
    [InlineData("nginx:1.27", "", "nginx:1.27")]
    public void Image_gets_the_digest_the_pod_reports(string image, string imageId, string expected)
    {
        Assert.Equal(expected, PodDiagnosis.ImageWithDigest(image, imageId));
    }

    [Fact]
    public void Start_timeout_reason_says_how_long_and_where_the_pod_stood()
    {
        Assert.Equal(
            "The pod did not start within 10 minutes (last seen: ContainerCreating). Look at `kubectl describe pod` for the job's pod.",
            PodDiagnosis.StartTimeoutReason(TimeSpan.FromMinutes(10), "ContainerCreating"));
    }

    [Theory]
    [InlineData(2L, "The job timed out after 2 seconds: ")]
    [InlineData(5400L, "The job timed out after 1 hour, 30 minutes: ")]
    [InlineData(86400L, "The job timed out after 24 hours: ")]
    [InlineData(null, "The job timed out: ")]
    public void Deadline_reason_says_the_job_timed_out_after_its_limit_and_what_to_do(long? seconds, string start)
    {
        var reason = PodDiagnosis.DeadlineReason(seconds);

        Assert.StartsWith(start, reason, StringComparison.Ordinal);
        Assert.Contains("DeadlineExceeded", reason, StringComparison.Ordinal);
        Assert.Contains("longer `--timeout`", reason, StringComparison.Ordinal);
    }
}
