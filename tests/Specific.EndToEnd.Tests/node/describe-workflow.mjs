// Describes one workflow with Temporal's official TypeScript client and prints {status, type, taskQueue} as JSON.
// Usage: node describe-workflow.mjs <host:port> <workflow id>
import { Connection, Client } from "@temporalio/client";

const [address, workflowId] = process.argv.slice(2);
if (!address || !workflowId) {
  console.error("usage: node describe-workflow.mjs <host:port> <workflow id>");
  process.exit(2);
}

const connection = await Connection.connect({ address });
const client = new Client({ connection, namespace: "default" });
const described = await client.workflow.getHandle(workflowId).describe();
console.log(JSON.stringify({ status: described.status.name, type: described.type, taskQueue: described.taskQueue }));
await connection.close();
