// Connects to the stand-in with Slack's official Socket Mode client (@slack/socket-mode), acknowledges every slash
// command with a reply, and prints one JSON line per thing it sees. Stops when its stdin closes.
// Usage: node socket-mode.mjs <api base url, ending in /api/> <app-level token>
import { SocketModeClient, LogLevel } from "@slack/socket-mode";

const [apiUrl, appToken] = process.argv.slice(2);
if (!apiUrl || !appToken) {
  console.error("usage: node socket-mode.mjs <apiUrl> <appToken>");
  process.exit(2);
}

const say = (line) => console.log(JSON.stringify(line));
const client = new SocketModeClient({ appToken, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: apiUrl } });

client.on("slash_commands", async ({ body, ack, envelope_id }) => {
  await ack({ response_type: "ephemeral", text: `node saw: ${body.text}` });
  say({ event: "slash_commands", text: body.text, envelope_id });
});
for (const event of ["connected", "reconnecting", "disconnected"]) {
  client.on(event, () => say({ event }));
}

await client.start();
say({ event: "started" });
process.stdin.on("end", async () => {
  await client.disconnect();
  process.exit(0);
});
process.stdin.resume();
