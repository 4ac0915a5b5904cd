// Drives the Temporal stand-in with Temporal's official TypeScript client and prints what it saw as one JSON object.
// A .NET worker in the test runs the StandInScenario workflow on the task queue.
// Usage: node temporal-client.mjs <host:port> <task queue>
import { Connection, Client } from "@temporalio/client";

const [address, taskQueue] = process.argv.slice(2);
if (!address || !taskQueue) {
  console.error("usage: node temporal-client.mjs <host:port> <taskQueue>");
  process.exit(2);
}

const connection = await Connection.connect({ address });
const client = new Client({ connection, namespace: "default" });
const asTheBotStarts = { taskQueue, workflowIdReusePolicy: "REJECT_DUPLICATE", workflowIdConflictPolicy: "FAIL" };
const out = {};

function describeError(e) {
  return { name: e?.name, message: e?.message, cause: e?.cause?.name, causeType: e?.cause?.cause?.type, causeMessage: e?.cause?.cause?.message };
}

// Polls describe until the predicate holds, with a generous deadline.
async function until(handle, predicate) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const description = await handle.describe();
    if (predicate(description)) return description;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not reached before the deadline");
}

const ok = await client.workflow.start("StandInScenario", { ...asTheBotStarts, workflowId: "node-ok", args: [{ Behaviour: "succeed" }] });
out.result = await ok.result();
const described = await ok.describe();
out.described = { status: described.status.name, type: described.type, taskQueue: described.taskQueue, historyLength: described.historyLength };
out.historyTypes = (await ok.fetchHistory()).events.map((e) => e.eventType);

try {
  await client.workflow.start("StandInScenario", { ...asTheBotStarts, workflowId: "node-ok", args: [{ Behaviour: "succeed" }] });
  out.duplicate = { name: "started twice" };
} catch (e) {
  out.duplicate = describeError(e);
}

const failing = await client.workflow.start("StandInScenario", { ...asTheBotStarts, workflowId: "node-fail", args: [{ Behaviour: "non-retryable", MaximumAttempts: 3 }] });
try {
  await failing.result();
  out.failed = { name: "completed" };
} catch (e) {
  out.failed = describeError(e);
}

const cancelling = await client.workflow.start("StandInScenario", {
  ...asTheBotStarts,
  workflowId: "node-cancel",
  args: [{ Behaviour: "heartbeat-until-cancelled", HeartbeatTimeoutMs: 2000 }],
});
const running = await until(cancelling, (d) => d.raw.pendingActivities?.some((a) => a.state === 2 /* STARTED */));
out.pendingActivity = { activityType: running.raw.pendingActivities[0].activityType?.name, attempt: running.raw.pendingActivities[0].attempt };
await cancelling.cancel();
try {
  await cancelling.result();
  out.cancelled = { name: "completed" };
} catch (e) {
  out.cancelled = describeError(e);
}
out.cancelledStatus = (await cancelling.describe()).status.name;

out.listed = [];
for await (const workflow of client.workflow.list()) {
  out.listed.push({ id: workflow.workflowId, status: workflow.status.name });
}

console.log(JSON.stringify(out));
await connection.close();
