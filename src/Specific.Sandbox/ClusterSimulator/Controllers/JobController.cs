using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>
/// The Job controller: creates pods from the template, counts them, and writes the status and the
/// SuccessCriteriaMet/Complete or FailureTarget/Failed conditions, honouring backoffLimit and activeDeadlineSeconds.
/// </summary>
internal sealed class JobController(ObjectStore store, EventRecorder events, GarbageCollector collector, SimulatorClock clock)
{
    public const string Component = "job-controller";

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(6);

    /// <summary>Pods already counted per Job uid: the real controller tracks them with finalizers so deleted pods still count.</summary>
    private readonly Dictionary<string, Tally> _tallies = [];

    private sealed class Tally
    {
        public HashSet<string> Succeeded { get; } = [];
        public HashSet<string> Failed { get; } = [];
        public DateTime? LastFailure { get; set; }
    }

    /// <summary>What each Job's last reconcile read, and when the clock alone could change its outcome.</summary>
    private Dictionary<string, Seen> _seen = [];

    private sealed record Seen(StoredObject Job, IReadOnlyList<StoredObject> Pods, DateTime? RecheckAt);

    public void Reconcile()
    {
        var now = clock.UtcNow;
        var jobs = store.Snapshot(ResourceTypes.Jobs, null).Items;
        foreach (var gone in _tallies.Keys.Except(jobs.Select(j => j.Uid)).ToList())
        {
            _tallies.Remove(gone);
        }
        // One read of the pods per pass, grouped by controlling owner: reading them per Job is quadratic.
        var podsByOwner = store.Snapshot(ResourceTypes.Pods, null).Items
            .Where(p => p.ControllerUid is not null)
            .ToLookup(p => (p.Namespace, p.ControllerUid!));
        var seen = new Dictionary<string, Seen>();
        foreach (var stored in jobs)
        {
            var pods = podsByOwner[(stored.Namespace, stored.Uid)].ToList();
            // The same snapshots give the same outcome, so a Job is read in full only when it or its pods changed, or its time came.
            if (_seen.TryGetValue(stored.Uid, out var last) && ReferenceEquals(last.Job, stored) && last.Pods.SequenceEqual(pods, ReferenceEqualityComparer.Instance)
                && (last.RecheckAt is null || now < last.RecheckAt))
            {
                seen[stored.Uid] = last;
                continue;
            }
            var job = stored.To<V1Job>();
            var recheckAt = IsFinished(job) || job.Metadata.DeletionTimestamp is not null
                ? null
                : ReconcileJob(job, [.. pods.Select(p => p.To<V1Pod>())]);
            seen[stored.Uid] = new Seen(stored, pods, recheckAt);
        }
        _seen = seen;
    }

    /// <summary>Reconciles one unfinished Job; returns when the clock alone (deadline, back-off) could change the outcome.</summary>
    private DateTime? ReconcileJob(V1Job job, List<V1Pod> pods)
    {
        var now = clock.UtcNow;
        var tally = _tallies.TryGetValue(job.Metadata.Uid, out var t) ? t : _tallies[job.Metadata.Uid] = new Tally();
        DateTime? recheckAt = null;

        foreach (var pod in pods)
        {
            if (pod.Status?.Phase == "Succeeded")
            {
                tally.Succeeded.Add(pod.Metadata.Uid);
            }
            else if ((pod.Status?.Phase == "Failed" || pod.Metadata.DeletionTimestamp is not null) && tally.Failed.Add(pod.Metadata.Uid))
            {
                // A pod being deleted before it succeeded counts as failed (podReplacementPolicy TerminatingOrFailed).
                tally.LastFailure = now;
            }
        }
        var active = pods.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
        var terminating = pods.Count(p => p.Metadata.DeletionTimestamp is not null && p.Status?.Phase is not ("Succeeded" or "Failed"));
        var ready = active.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        var spec = job.Spec;
        var completions = spec.Completions ?? 1;

        var startTime = job.Status?.StartTime ?? now;
        (string Reason, string Message)? failure = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "FailureTarget" && c.Status == "True") is { } target
            ? (target.Reason, target.Message)
            : null;
        var successMet = job.Status?.Conditions?.Any(c => c.Type == "SuccessCriteriaMet" && c.Status == "True") == true;

        if (failure is null && !successMet)
        {
            if (spec.ActiveDeadlineSeconds is { } deadline && now - startTime >= TimeSpan.FromSeconds(deadline))
            {
                failure = ("DeadlineExceeded", "Job was active longer than specified deadline");
            }
            else if (tally.Failed.Count > (spec.BackoffLimit ?? 6))
            {
                failure = ("BackoffLimitExceeded", "Job has reached the specified backoff limit");
            }
            if (failure is { } f)
            {
                events.Record(job, EventRecorder.Warning, f.Reason, f.Message, Component);
                foreach (var pod in active)
                {
                    DeletePod(job, pod);
                }
                terminating += active.Count;
                active.Clear();
            }
            else if (tally.Succeeded.Count >= completions)
            {
                successMet = true;
            }
            else if (spec.ActiveDeadlineSeconds is { } pending)
            {
                recheckAt = startTime + TimeSpan.FromSeconds(pending);
            }
        }

        var conditions = job.Status?.Conditions?.ToList() ?? [];
        DateTime? completionTime = job.Status?.CompletionTime;
        var finishedNow = false;
        if (failure is { } fail)
        {
            AddCondition(conditions, "FailureTarget", fail.Reason, fail.Message, now);
            if (terminating == 0 && active.Count == 0)
            {
                // Since 1.31 the terminal condition waits until every pod has terminated.
                AddCondition(conditions, "Failed", fail.Reason, fail.Message, now);
                finishedNow = true;
            }
        }
        else if (successMet)
        {
            AddCondition(conditions, "SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now);
            if (terminating == 0 && active.Count == 0)
            {
                AddCondition(conditions, "Complete", "CompletionsReached", "Reached expected number of succeeded pods", now);
                completionTime ??= now;
                finishedNow = true;
                events.Record(job, EventRecorder.Normal, "Completed", "Job completed", Component);
            }
        }
        else if (spec.Suspend != true)
        {
            var wanted = Math.Min(spec.Parallelism ?? 1, completions - tally.Succeeded.Count) - active.Count;
            var backoff = BackoffAfter(tally.Failed.Count);
            if (wanted > 0 && (tally.LastFailure is null || now >= tally.LastFailure + backoff))
            {
                for (var i = 0; i < wanted; i++)
                {
                    active.Add(CreatePod(job));
                }
            }
            else if (wanted > 0)
            {
                recheckAt = Earliest(recheckAt, tally.LastFailure + backoff);
            }
        }

        store.Update<V1Job>(job.Metadata.NamespaceProperty, job.Metadata.Name, j =>
        {
            var before = Snapshot.Of(j.Status);
            var status = j.Status ??= new V1JobStatus();
            status.StartTime ??= startTime;
            status.Active = active.Count == 0 ? null : active.Count;
            status.Ready = ready;
            status.Terminating = terminating;
            status.Succeeded = tally.Succeeded.Count == 0 ? null : tally.Succeeded.Count;
            status.Failed = tally.Failed.Count == 0 ? null : tally.Failed.Count;
            status.UncountedTerminatedPods = finishedNow ? null : new V1UncountedTerminatedPods();
            status.Conditions = conditions.Count == 0 ? null : conditions;
            status.CompletionTime = completionTime;
            return Snapshot.Of(status) != before;
        });
        return recheckAt;
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static TimeSpan BackoffAfter(int failures)
    {
        if (failures == 0)
        {
            return TimeSpan.Zero;
        }
        var delay = FirstBackoff * Math.Pow(2, Math.Min(failures - 1, 10));
        return delay > MaxBackoff ? MaxBackoff : delay;
    }

    private static void AddCondition(List<V1JobCondition> conditions, string type, string reason, string message, DateTime now)
    {
        if (conditions.Any(c => c.Type == type))
        {
            return;
        }
        conditions.Add(new V1JobCondition { Type = type, Status = "True", Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now });
    }

    public static bool IsFinished(V1Job job) =>
        job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;

    private V1Pod CreatePod(V1Job job)
    {
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(job.Spec.Template));
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"{job.Metadata.Name}-",
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels ?? new Dictionary<string, string>(),
                Annotations = template.Metadata?.Annotations,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "batch/v1",
                        Kind = "Job",
                        Name = job.Metadata.Name,
                        Uid = job.Metadata.Uid,
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = template.Spec,
        };
        Admission.AdmitCreate(ResourceTypes.Pods, pod);
        var created = store.Create(pod);
        events.Record(job, EventRecorder.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}", Component);
        return created;
    }

    private void DeletePod(V1Job job, V1Pod pod)
    {
        try
        {
            collector.Delete(ResourceTypes.Pods, pod.Metadata.NamespaceProperty, pod.Metadata.Name, null, null);
            events.Record(job, EventRecorder.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}", Component);
        }
        catch (ApiException)
        {
            // Already gone.
        }
    }
}
