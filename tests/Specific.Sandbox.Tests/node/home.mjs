// Publishes Home tabs on the stand-in with Slack's official Node client and prints what it saw as one JSON object.
// Usage: node home.mjs <api base url, ending in /api/> <bot token> <user id>
import { WebClient, LogLevel } from "@slack/web-api";

const [apiUrl, token, user] = process.argv.slice(2);
if (!apiUrl || !token || !user) {
  console.error("usage: node home.mjs <apiUrl> <token> <user id>");
  process.exit(2);
}

const client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });

async function errorOf(call) {
  try {
    await call();
    return { error: null };
  } catch (e) {
    return { code: e.code, error: e.data?.error ?? null, messages: e.data?.response_metadata?.messages ?? [] };
  }
}

const section = (text) => ({ type: "section", text: { type: "mrkdwn", text } });
const home = (blocks) => ({ type: "home", blocks });

const first = await client.views.publish({ user_id: user, view: home([section("*Your jobs*")]) });
const second = await client.views.publish({ user_id: user, hash: first.view.hash, view: home([section("*Your jobs*"), section("j-1 running")]) });
const out = {
  first: { ok: first.ok, id: first.view.id, type: first.view.type, hash: first.view.hash },
  second: { ok: second.ok, id: second.view.id, hash: second.view.hash, blocks: second.view.blocks.length },
  stale: await errorOf(() => client.views.publish({ user_id: user, hash: first.view.hash, view: home([section("late")]) })),
  modal: await errorOf(() => client.views.publish({ user_id: user, view: { type: "modal", title: { type: "plain_text", text: "x" }, blocks: [section("x")] } })),
  tooMany: await errorOf(() => client.views.publish({ user_id: user, view: home(Array.from({ length: 101 }, (_, i) => section(`row ${i}`))) })),
  noUser: await errorOf(() => client.apiCall("views.publish", { view: home([section("x")]) })),
  notAPerson: await errorOf(() => client.views.publish({ user_id: "C0SANDBOX", view: home([section("x")]) })),
};

console.log(JSON.stringify(out));
