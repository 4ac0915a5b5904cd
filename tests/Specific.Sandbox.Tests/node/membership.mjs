// Drives the stand-in's channel membership with Slack's official Node client and prints what it saw as one JSON object.
// Usage: node membership.mjs <api base url, ending in /api/> <bot token> <public channel id without the bot>
import { WebClient, LogLevel } from "@slack/web-api";

const [apiUrl, token, lobby] = process.argv.slice(2);
if (!apiUrl || !token || !lobby) {
  console.error("usage: node membership.mjs <apiUrl> <token> <public channel without the bot>");
  process.exit(2);
}

const client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });

async function errorOf(call) {
  try {
    await call();
    return { error: null };
  } catch (e) {
    return { code: e.code, error: e.data?.error ?? null, needed: e.data?.needed ?? null };
  }
}

const out = {};
out.vault = {
  post: await errorOf(() => client.chat.postMessage({ channel: "C0VAULT", text: "hi" })),
  info: await errorOf(() => client.conversations.info({ channel: "C0VAULT" })),
  join: await errorOf(() => client.conversations.join({ channel: "C0VAULT" })),
};

const before = await client.conversations.info({ channel: lobby });
out.lobby = {
  isMemberBefore: before.channel.is_member,
  isPrivate: before.channel.is_private,
  postBefore: await errorOf(() => client.chat.postMessage({ channel: lobby, text: "hi" })),
};
const joined = await client.conversations.join({ channel: lobby });
out.lobby.joined = { ok: joined.ok, isMember: joined.channel.is_member };
const again = await client.conversations.join({ channel: lobby });
out.lobby.again = { ok: again.ok, warning: again.warning ?? null };
const posted = await client.chat.postMessage({ channel: lobby, text: "hello lobby" });
out.lobby.postAfter = { ok: posted.ok, channel: posted.channel };
out.lobby.isMemberAfter = (await client.conversations.info({ channel: lobby })).channel.is_member;

const dm = await client.chat.postMessage({ channel: "U0ALICE", text: "your job's thread stopped" });
const dmInfo = await client.conversations.info({ channel: dm.channel });
out.dm = { channel: dm.channel, isIm: dmInfo.channel.is_im };

console.log(JSON.stringify(out));
