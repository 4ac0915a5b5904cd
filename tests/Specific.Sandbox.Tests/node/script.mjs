// Drives the Slack stand-in with Slack's official Node client and prints what it saw as one JSON object.
// Usage: node script.mjs <api base url, ending in /api/> <bot token>
import { WebClient, ErrorCode, LogLevel } from "@slack/web-api";

const [apiUrl, token] = process.argv.slice(2);
if (!apiUrl || !token) {
  console.error("usage: node script.mjs <apiUrl> <token>");
  process.exit(2);
}

const quiet = { logLevel: LogLevel.ERROR };
const client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, ...quiet });
const channel = "C0NODE";
const out = {};

async function errorOf(call) {
  try {
    await call();
    return { error: null };
  } catch (e) {
    return { code: e.code, error: e.data?.error ?? null, messages: e.data?.response_metadata?.messages ?? [], retryAfter: e.retryAfter ?? null, cause: e.original ? String(e.original.cause ?? e.original) : undefined };
  }
}

const auth = await client.auth.test();
out.auth = { ok: auth.ok, team_id: auth.team_id, user_id: auth.user_id };

const posted = await client.chat.postMessage({
  channel,
  text: "Job 1 running",
  blocks: [
    { type: "header", text: { type: "plain_text", text: "Job 1" } },
    { type: "section", text: { type: "mrkdwn", text: "*running* `echo hi`" } },
  ],
});
out.posted = { ok: posted.ok, ts: posted.ts, channel: posted.channel };

const updated = await client.chat.update({ channel, ts: posted.ts, text: "Job 1 succeeded", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*succeeded*" } }] });
out.updated = { ok: updated.ok, text: updated.text };

await client.chat.postMessage({ channel, thread_ts: posted.ts, text: "log line 1" });
await client.chat.postMessage({ channel, thread_ts: posted.ts, text: "log line 2" });

const upload = await client.filesUploadV2({ channel_id: channel, thread_ts: posted.ts, content: "hello from the job log\n", filename: "job-1.log", title: "Job 1 log" });
out.upload = { ok: upload.ok, fileIds: (upload.files ?? []).flatMap((f) => (f.files ?? [f]).map((x) => x.id)) };

const history = await client.conversations.history({ channel });
const top = history.messages.find((m) => m.ts === posted.ts);
out.history = { count: history.messages.length, text: top?.text, reply_count: top?.reply_count, edited: !!top?.edited, has_more: history.has_more };

const replies = await client.conversations.replies({ channel, ts: posted.ts });
out.replies = { texts: replies.messages.map((m) => m.text), files: replies.messages.flatMap((m) => (m.files ?? []).map((f) => f.name)) };

// paging with the client's own cursor iterator
let pages = 0;
let paged = 0;
for await (const page of client.paginate("conversations.replies", { channel, ts: posted.ts, limit: 2 })) {
  pages += 1;
  paged += page.messages.length;
}
out.paging = { pages, messages: paged };

// A channel of their own: refused posts count against the per-channel rate too, as on Slack.
const errorChannel = "C0NODEERRORS";
out.errors = {
  invalid_auth: await errorOf(() => new WebClient("xoxb-wrong", { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, ...quiet }).auth.test()),
  no_text: await errorOf(() => client.chat.postMessage({ channel: errorChannel, text: "" })),
  channel_not_found: await errorOf(() => client.chat.postMessage({ channel: "nope", text: "x" })),
  message_not_found: await errorOf(() => client.chat.update({ channel, ts: "1700000000.000001", text: "x" })),
  invalid_blocks: await errorOf(() => client.chat.postMessage({ channel: errorChannel, text: "x", blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] })),
};

// Over the per-channel posting rate the client sees Slack's 429 (rejectRateLimitedCalls turns it into an error).
const strict = new WebClient(token, { slackApiUrl: apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, ...quiet });
let rateLimited = null;
for (let i = 0; i < 10 && !rateLimited; i++) {
  const result = await errorOf(() => strict.chat.postMessage({ channel: "C0NODEBUSY", text: `burst ${i}` }));
  if (result.code) rateLimited = { ...result, after: i };
}
out.rateLimited = rateLimited;

console.log(JSON.stringify(out));
