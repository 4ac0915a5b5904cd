// The sandbox Slack page: renders the workspace the stand-in holds and acts as a person through /sandbox/*.
"use strict";

const params = new URLSearchParams(location.search);
const page = {
  channel: params.get("channel") || "C0SANDBOX",
  user: params.get("user") || "U0SANDBOX",
  highlight: params.get("ts"),
  thread: null,
  home: params.get("tab") === "home",
  state: null,
  renderedView: null,
};

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
};
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

function userName(id) {
  const known = page.state && page.state.users.find((u) => u.id === id);
  return known ? known.name : id ? "user-" + id.toLowerCase() : "unknown";
}

function channelPrefix(channel) {
  if (!channel) return "# ";
  if (channel.kind === "private") return "🔒 ";
  if (channel.kind === "im" || channel.kind === "mpim") return "@ ";
  return "# ";
}

function channelName(id) {
  const known = page.state && page.state.channels.find((c) => c.id === id);
  return known ? known.name : id;
}

// ---- mrkdwn ----

// The shortcodes the bot writes (grep its renderers for :name:), shown as Slack shows them; others stay as typed.
const EMOJI = {
  x: "❌", no_entry: "⛔", hourglass: "⌛", hourglass_flowing_sand: "⏳", warning: "⚠️", lock: "🔒",
  twisted_rightwards_arrows: "🔀", page_facing_up: "📄", white_check_mark: "✅", heavy_check_mark: "✔️",
  information_source: "ℹ️", mag: "🔍", wave: "👋", no_entry_sign: "🚫", arrows_counterclockwise: "🔄",
};

function emojify(text) {
  return String(text).replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
}

// Emoji outside code spans only, as in Slack.
function emojifyHtml(html) {
  return html.split(/(<code>[\s\S]*?<\/code>)/).map((part, i) => (i % 2 === 1 ? part : emojify(part))).join("");
}

function inlineMrkdwn(text) {
  // text is already HTML-escaped; Slack's own escapes (&lt; &gt; &amp;) arrive double-escaped and are undone once
  let html = text;
  html = html.replace(/`([^`\n]+)`/g, (_, code) => `<code>${code}</code>`);
  html = html.replace(/&lt;([^&|]+?)(?:\|([^&]+?))?&gt;/g, (_, target, label) => {
    if (target.startsWith("@")) return `<span class="mention">@${escapeHtml(label || userName(target.slice(1)))}</span>`;
    if (target.startsWith("#")) return `<span class="mention">#${escapeHtml(label || channelName(target.slice(1)))}</span>`;
    if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(label || target.slice(1).split("^")[0])}</span>`;
    const safe = /^(https?:|mailto:)/i.test(target) ? target : "#";
    return `<a href="${safe}" target="_blank" rel="noopener">${label || target}</a>`;
  });
  html = html.replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,!?:;<])/g, "$1<strong>$2</strong>");
  html = html.replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,!?:;<])/g, "$1<em>$2</em>");
  html = html.replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,!?:;<])/g, "$1<del>$2</del>");
  html = html.replace(/&amp;(lt|gt|amp);/g, "&$1;");
  return emojifyHtml(html);
}

function mrkdwn(text) {
  const parts = String(text).split(/```/);
  let html = "";
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      html += `<pre>${escapeHtml(part.replace(/^\n/, "")).replace(/&amp;(lt|gt|amp);/g, "&$1;")}</pre>`;
    } else {
      const lines = escapeHtml(part).split("\n").map((line) =>
        line.startsWith("&gt; ") ? `<blockquote>${inlineMrkdwn(line.slice(5))}</blockquote>` : inlineMrkdwn(line));
      html += lines.join("<br>").replace(/<\/blockquote><br>/g, "</blockquote>");
    }
  });
  return html;
}

function textObject(obj) {
  const span = el("span", "text");
  if (!obj) return span;
  if (obj.type === "mrkdwn") span.innerHTML = mrkdwn(obj.text);
  else span.textContent = obj.emoji === false ? obj.text : emojify(obj.text);
  return span;
}

// ---- Block Kit ----

function renderBlocks(blocks, ctx) {
  const wrap = el("div", "blocks");
  for (const block of blocks || []) {
    const node = renderBlock(block, ctx);
    if (node) {
      node.dataset.blockId = block.block_id || "";
      wrap.appendChild(node);
    }
  }
  return wrap;
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case "header": return el("div", "block b-header", emojify(block.text.text));
    case "divider": return el("hr", "b-divider");
    case "section": {
      const node = el("div", "block b-section");
      const main = el("div", "section-main");
      if (block.text) main.appendChild(textObject(block.text));
      if (block.fields) {
        const fields = el("div", "b-fields");
        for (const field of block.fields) fields.appendChild(textObject(field));
        main.appendChild(fields);
      }
      node.appendChild(main);
      if (block.accessory) node.appendChild(renderElement(block.accessory, block, ctx));
      return node;
    }
    case "context": {
      const node = el("div", "block b-context");
      for (const element of block.elements) {
        if (element.type === "image") {
          const img = el("img");
          img.src = element.image_url; img.alt = element.alt_text;
          node.appendChild(img);
        } else node.appendChild(textObject(element));
      }
      return node;
    }
    case "actions": {
      const node = el("div", "block b-actions");
      for (const element of block.elements) node.appendChild(renderElement(element, block, ctx));
      return node;
    }
    case "image": {
      const node = el("div", "block b-image");
      if (block.title) node.appendChild(el("div", "muted", block.title.text));
      const img = el("img");
      img.src = block.image_url; img.alt = block.alt_text;
      node.appendChild(img);
      return node;
    }
    case "rich_text": return renderRichText(block);
    case "input": return renderInput(block, ctx);
    default: return el("div", "block muted", `[${block.type} block]`);
  }
}

function renderRichText(block) {
  const node = el("div", "block rt");
  for (const element of block.elements || []) {
    if (element.type === "rich_text_preformatted") {
      const pre = el("pre");
      pre.textContent = (element.elements || []).map((e) => e.text || e.url || "").join("");
      node.appendChild(pre);
    } else if (element.type === "rich_text_quote") {
      const quote = el("blockquote");
      quote.appendChild(richSection(element.elements));
      node.appendChild(quote);
    } else if (element.type === "rich_text_list") {
      const list = el(element.style === "ordered" ? "ol" : "ul");
      for (const item of element.elements || []) {
        const li = el("li");
        li.appendChild(richSection(item.elements));
        list.appendChild(li);
      }
      node.appendChild(list);
    } else {
      node.appendChild(richSection(element.elements));
    }
  }
  return node;
}

function richSection(elements) {
  const span = el("div", "text");
  for (const e of elements || []) {
    let part;
    if (e.type === "link") { part = el("a", "link", e.text || e.url); part.href = e.url; part.target = "_blank"; }
    else if (e.type === "user") part = el("span", "mention", "@" + userName(e.user_id));
    else if (e.type === "channel") part = el("span", "mention", "#" + channelName(e.channel_id));
    else if (e.type === "emoji") part = el("span", "", e.unicode ? String.fromCodePoint(parseInt(e.unicode, 16)) : `:${e.name}:`);
    else part = el(e.style && e.style.code ? "code" : "span", "", e.text || "");
    if (e.style) {
      if (e.style.bold) part.style.fontWeight = "700";
      if (e.style.italic) part.style.fontStyle = "italic";
      if (e.style.strike) part.style.textDecoration = "line-through";
    }
    span.appendChild(part);
  }
  return span;
}

function renderElement(element, block, ctx) {
  if (element.type === "button") {
    const button = el("button", "btn" + (element.style ? " " + element.style : ""), element.text.text);
    button.type = "button";
    button.dataset.actionId = element.action_id;
    if (element.url) {
      button.addEventListener("click", () => window.open(element.url, "_blank"));
      return button;
    }
    button.addEventListener("click", () => {
      if (!ctx || !ctx.ts) return;
      const go = () => clickButton(ctx, element.action_id, button);
      if (element.confirm) showConfirm(element.confirm, go); else go();
    });
    return button;
  }
  if (element.type === "static_select" || element.type === "overflow") {
    const select = el("select");
    select.dataset.actionId = element.action_id;
    select.appendChild(new Option(element.placeholder ? element.placeholder.text : "Select…", ""));
    for (const option of allOptions(element)) select.appendChild(new Option(option.text.text, option.value));
    return select;
  }
  if (element.type === "image") {
    const img = el("img");
    img.src = element.image_url; img.alt = element.alt_text; img.style.width = "72px"; img.style.borderRadius = "6px";
    return img;
  }
  return el("span", "muted", `[${element.type}]`);
}

function allOptions(element) {
  if (element.options) return element.options;
  return (element.option_groups || []).flatMap((g) => g.options);
}

function renderInput(block, ctx) {
  const node = el("div", "block input-block");
  const error = ctx && ctx.errors ? ctx.errors[block.block_id] : null;
  if (error) node.classList.add("has-error");
  const label = el("label", "input-label", block.label.text);
  if (block.optional) label.appendChild(el("span", "optional", " (optional)"));
  node.appendChild(label);
  const element = block.element;
  let field;
  if (element.type === "static_select" || element.type === "radio_buttons") {
    field = el("select");
    field.appendChild(new Option(element.placeholder ? element.placeholder.text : "Select an item", ""));
    for (const option of allOptions(element)) field.appendChild(new Option(option.text.text, option.value));
    if (element.initial_option) field.value = element.initial_option.value;
  } else if (element.type === "conversations_select") {
    // As Slack's menu: the conversations the person can see, narrowed by the element's filter.
    field = el("select");
    field.appendChild(new Option(element.placeholder ? element.placeholder.text : "Select a conversation", ""));
    const include = element.filter && element.filter.include;
    for (const c of page.state.channels.filter((c) => !include || include.includes(c.kind))) {
      field.appendChild(new Option(channelPrefix(c) + c.name, c.id));
    }
    if (element.initial_conversation) field.value = element.initial_conversation;
  } else if (element.type === "plain_text_input" && element.multiline) {
    field = el("textarea");
    if (element.initial_value) field.value = element.initial_value;
  } else {
    field = el("input");
    field.type = element.type === "number_input" ? "number" : element.type === "datepicker" ? "date" : "text";
    if (element.initial_value) field.value = element.initial_value;
    if (element.initial_date) field.value = element.initial_date;
  }
  if (element.placeholder && "placeholder" in field) field.placeholder = element.placeholder.text;
  if (element.max_length) field.maxLength = element.max_length;
  field.dataset.blockId = block.block_id;
  field.dataset.actionId = element.action_id;
  field.setAttribute("aria-label", block.label.text);
  label.htmlFor = field.id = "input-" + block.block_id;
  node.appendChild(field);
  if (error) node.appendChild(el("div", "field-error", error));
  if (block.hint) node.appendChild(el("div", "input-hint", block.hint.text));
  return node;
}

// ---- messages ----

function formatTime(ts) {
  const date = new Date(parseFloat(ts) * 1000);
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(message, channel, inThread) {
  const isBot = !!message.bot_id;
  const node = el("div", "message");
  node.dataset.ts = message.ts;
  if (message.ts === page.highlight) node.classList.add("highlight");
  const name = isBot ? page.state.bot_name : userName(message.user);
  node.appendChild(el("div", "avatar" + (isBot ? " bot" : ""), name.slice(0, 1).toUpperCase()));
  const body = el("div", "body");
  const meta = el("div", "meta");
  meta.appendChild(el("span", "author", name));
  if (isBot) meta.appendChild(el("span", "app-badge", "APP"));
  meta.appendChild(el("span", "time", formatTime(message.ts)));
  if (message.edited) meta.appendChild(el("span", "edited", "(edited)"));
  body.appendChild(meta);
  const ctx = { channel, ts: message.ts };
  if (message.blocks && message.blocks.length) body.appendChild(renderBlocks(message.blocks, ctx));
  else if (message.text) { const t = el("div", "text"); t.innerHTML = mrkdwn(message.text); body.appendChild(t); }
  if (message.files) body.appendChild(renderFiles(message.files));
  if (!inThread && message.reply_count > 0) {
    const replies = el("button", "replies", `${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}`);
    replies.type = "button";
    replies.addEventListener("click", () => openThread(message.ts));
    body.appendChild(replies);
  }
  if (!inThread && message.subtype === "thread_broadcast") body.appendChild(el("div", "muted", "replied to a thread"));
  node.appendChild(body);
  if (!inThread) {
    const reply = el("button", "replies reply-action", "Reply in thread");
    reply.type = "button";
    reply.addEventListener("click", () => openThread(message.thread_ts || message.ts));
    node.appendChild(reply);
  }
  return node;
}

function renderFiles(files) {
  const wrap = el("div", "files");
  for (const file of files) {
    const card = el("a", "file");
    card.href = file.url_private_download;
    card.download = file.name;
    card.appendChild(el("div", "file-icon", (file.filetype || "file").toUpperCase().slice(0, 4)));
    const info = el("div");
    info.appendChild(el("div", "file-name", file.title || file.name));
    info.appendChild(el("div", "muted", `${file.name} · ${file.size} bytes`));
    card.appendChild(info);
    wrap.appendChild(card);
  }
  return wrap;
}

function renderEphemeral(ephemeral, channel) {
  const node = el("div", "message ephemeral");
  node.dataset.ts = ephemeral.ts;
  const fromSlackbot = ephemeral.source === "slackbot";
  const name = fromSlackbot ? "Slackbot" : page.state.bot_name;
  node.appendChild(el("div", "avatar " + (fromSlackbot ? "slackbot" : "bot"), name.slice(0, 1).toUpperCase()));
  const body = el("div", "body");
  const note = el("div", "ephemeral-note");
  note.innerHTML = '<svg width="12" height="12" viewBox="0 0 20 20" aria-hidden="true"><path fill="currentColor" d="M10 4C5 4 1.7 8.3 1 10c.7 1.7 4 6 9 6s8.3-4.3 9-6c-.7-1.7-4-6-9-6zm0 10a4 4 0 110-8 4 4 0 010 8zm0-2a2 2 0 100-4 2 2 0 000 4z"/></svg> Only visible to you';
  body.appendChild(note);
  const meta = el("div", "meta");
  meta.appendChild(el("span", "author", name));
  if (!fromSlackbot) meta.appendChild(el("span", "app-badge", "APP"));
  meta.appendChild(el("span", "time", formatTime(ephemeral.ts)));
  body.appendChild(meta);
  if (ephemeral.blocks && ephemeral.blocks.length) body.appendChild(renderBlocks(ephemeral.blocks, { channel, ts: ephemeral.ts }));
  else { const t = el("div", "text"); t.innerHTML = mrkdwn(ephemeral.text); body.appendChild(t); }
  node.appendChild(body);
  return node;
}

// ---- state ----

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

let refreshing = null;
let refreshAgain = false;

async function refresh() {
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      page.state = await api(`/sandbox/state?channel=${encodeURIComponent(page.channel)}&user=${encodeURIComponent(page.user)}`);
      render();
      if (page.thread) await renderThread();
    } while (refreshAgain);
  })().finally(() => { refreshing = null; });
  return refreshing;
}

function render() {
  const state = page.state;
  const channels = $("channels");
  channels.replaceChildren(...state.channels.map((c) => {
    const li = el("li", (c.id === page.channel ? "active" : "") + (c.bot_member ? "" : " no-bot"), channelPrefix(c) + c.name);
    li.dataset.channelId = c.id;
    li.dataset.kind = c.kind;
    li.title = `${c.kind === "private" ? "private channel" : c.kind === "im" ? "direct message" : c.kind === "mpim" ? "group direct message" : "public channel"}` +
      (c.bot_member ? `, ${state.bot_name} is a member` : `, without ${state.bot_name}`);
    li.addEventListener("click", () => switchChannel(c.id));
    return li;
  }));
  if (page.home) channels.querySelector(".active")?.classList.remove("active");
  const switcher = $("user-switcher");
  if (switcher.options.length !== state.users.length - 1) {
    switcher.replaceChildren(...state.users.filter((u) => u.id !== state.bot_user_id).map((u) => new Option(`${u.name} (${u.id})`, u.id)));
  }
  switcher.value = page.user;
  $("channel-title").textContent = channelPrefix(state.channel) + state.channel.name;
  $("channel-id").textContent = state.channel.id;
  const membership = $("channel-membership");
  membership.hidden = state.channel.bot_member;
  membership.textContent = state.channel.bot_member ? "" :
    `${state.bot_name} is not in this ${state.channel.kind === "private" ? "private channel" : "channel"}: type /invite @${state.bot_name} to add it`;
  $("composer").placeholder = `Message #${state.channel.name} — try ${state.command} help`;

  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const items = [
    ...state.messages.map((m) => ({ ts: m.ts, node: () => renderMessage(m, state.channel.id, false) })),
    ...state.ephemerals.filter((e) => !e.thread_ts).map((e) => ({ ts: e.ts, node: () => renderEphemeral(e, state.channel.id) })),
  ].sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
  list.replaceChildren(...items.map((i) => i.node()));
  if (nearBottom) list.scrollTop = list.scrollHeight;

  const socketMode = $("socket-mode");
  socketMode.hidden = !state.socket_mode;
  if (state.socket_mode) {
    const open = state.socket_mode.open_connections;
    socketMode.textContent = open > 0
      ? `Socket Mode: the bot holds ${open} connection${open === 1 ? "" : "s"} (${state.socket_mode.connections_so_far} so far)`
      : "Socket Mode: no connection; the bot is reconnecting";
    socketMode.classList.toggle("socket-mode-down", open === 0);
  }

  const misses = $("deadline-misses");
  misses.hidden = state.deadline_misses.length === 0;
  misses.textContent = state.deadline_misses.length ? `operation_timeout ×${state.deadline_misses.length}: ${state.deadline_misses.at(-1)}` : "";

  renderHome(state);
  renderModal(state.view);
}

// ---- the app's Home tab ----

// Shows the view the app last published for this person (views.publish), in place of the channel.
function renderHome(state) {
  $("home-tab").classList.toggle("active", page.home);
  $("home").hidden = !page.home;
  $("messages").hidden = page.home;
  $("composer-form").hidden = page.home;
  if (!page.home) return;
  $("channel-title").textContent = `🏠 ${state.bot_name} · Home`;
  $("channel-id").textContent = "";
  $("channel-membership").hidden = true;
  const home = $("home");
  home.replaceChildren(state.home
    ? renderBlocks(state.home.view.blocks, { home: true, ts: "home" })
    : el("div", "muted", state.home_enabled ? `${state.bot_name} has not published a Home tab for you yet.` : `${state.bot_name} has no Home tab.`));
}

// Opening the tab is what Slack reports to the app as app_home_opened; the app answers by publishing the view.
async function openHome() {
  page.home = true;
  page.thread = null;
  $("thread-pane").hidden = true;
  history.replaceState(null, "", `?tab=home&user=${encodeURIComponent(page.user)}`);
  await refresh();
  const result = await api("/sandbox/home-open", { user: page.user });
  if (result && result.error) setStatus(`The app did not respond: ${result.error}`, true);
}

function switchChannel(id) {
  page.home = false;
  page.channel = id;
  page.thread = null;
  $("thread-pane").hidden = true;
  history.replaceState(null, "", `?channel=${encodeURIComponent(id)}&user=${encodeURIComponent(page.user)}`);
  refresh();
}

async function openThread(ts) {
  page.thread = ts;
  $("thread-pane").hidden = false;
  await renderThread();
}

async function renderThread() {
  const data = await api(`/sandbox/thread?channel=${encodeURIComponent(page.channel)}&ts=${encodeURIComponent(page.thread)}`);
  const list = $("thread-messages");
  $("thread-channel").textContent = "# " + page.state.channel.name;
  const nodes = [];
  data.messages.forEach((m, i) => {
    nodes.push(renderMessage(m, page.channel, true));
    if (i === 0 && data.messages.length > 1) {
      const n = data.messages.length - 1;
      nodes.push(el("div", "thread-divider", `${n} ${n === 1 ? "reply" : "replies"}`));
    }
  });
  for (const e of page.state.ephemerals.filter((e) => e.thread_ts === page.thread)) nodes.push(renderEphemeral(e, page.channel));
  list.replaceChildren(...nodes);
}

// ---- acting as a person ----

function setStatus(text, isError) {
  const status = $("composer-status");
  status.textContent = text || "";
  status.classList.toggle("error", !!isError);
}

async function clickButton(ctx, actionId, button) {
  button.disabled = true;
  try {
    const result = ctx.home
      ? await api("/sandbox/home-click", { user: page.user, actionId })
      : await api("/sandbox/click", { user: page.user, channel: ctx.channel, ts: ctx.ts, actionId });
    if (result.error) setStatus(`The app did not respond: ${result.error}`, true);
  } catch (e) {
    setStatus(e.message, true);
  } finally {
    button.disabled = false;
  }
}

function showConfirm(confirm, onConfirm) {
  const dialog = $("confirm");
  dialog.replaceChildren();
  const header = el("div", "modal-header");
  header.appendChild(el("div", "modal-title", confirm.title.text));
  dialog.appendChild(header);
  const body = el("div", "modal-body");
  body.appendChild(textObject(confirm.text));
  dialog.appendChild(body);
  const footer = el("div", "modal-footer");
  const deny = el("button", "btn", confirm.deny.text);
  deny.type = "button";
  deny.dataset.role = "deny";
  const ok = el("button", "btn " + (confirm.style === "danger" ? "danger filled" : "primary"), confirm.confirm.text);
  ok.type = "button";
  ok.dataset.role = "confirm";
  const close = () => { $("confirm-backdrop").hidden = true; };
  deny.addEventListener("click", close);
  ok.addEventListener("click", () => { close(); onConfirm(); });
  footer.append(deny, ok);
  dialog.appendChild(footer);
  $("confirm-backdrop").hidden = false;
}

function currentModalValues() {
  const values = {};
  for (const field of document.querySelectorAll("#modal [data-block-id][data-action-id]")) {
    if (!field.matches("input, textarea, select")) continue;
    values[field.dataset.blockId] = values[field.dataset.blockId] || {};
    values[field.dataset.blockId][field.dataset.actionId] = field.value;
  }
  return values;
}

function renderModal(open) {
  const backdrop = $("modal-backdrop");
  if (!open) {
    backdrop.hidden = true;
    page.renderedView = null;
    return;
  }
  const key = open.id + "|" + open.view.hash + "|" + JSON.stringify(open.view.blocks) + "|" + JSON.stringify(open.errors);
  if (page.renderedView === key) return;
  const keep = page.renderedView && page.renderedView.startsWith(open.id + "|") ? currentModalValues() : {};
  page.renderedView = key;
  const view = open.view;
  const modal = $("modal");
  modal.dataset.viewId = open.id;
  modal.replaceChildren();
  const header = el("div", "modal-header");
  header.appendChild(el("div", "modal-title", view.title.text));
  const x = el("button", "icon-button", "✕");
  x.type = "button";
  x.setAttribute("aria-label", "Close");
  x.addEventListener("click", () => closeModal(open.id));
  header.appendChild(x);
  modal.appendChild(header);
  const body = el("div", "modal-body");
  body.appendChild(renderBlocks(view.blocks, { errors: open.errors }));
  modal.appendChild(body);
  modal.appendChild(el("div", "modal-error"));
  const footer = el("div", "modal-footer");
  const cancel = el("button", "btn", view.close ? view.close.text : "Cancel");
  cancel.type = "button";
  cancel.addEventListener("click", () => closeModal(open.id));
  footer.appendChild(cancel);
  if (view.submit) {
    const submit = el("button", "btn primary", view.submit.text);
    submit.type = "button";
    submit.dataset.role = "submit";
    submit.addEventListener("click", () => submitModal(open.id, submit));
    footer.appendChild(submit);
  }
  modal.appendChild(footer);
  for (const [blockId, byAction] of Object.entries(keep)) {
    for (const [actionId, value] of Object.entries(byAction)) {
      const field = modal.querySelector(`[data-block-id="${CSS.escape(blockId)}"][data-action-id="${CSS.escape(actionId)}"]`);
      if (field) field.value = value;
    }
  }
  backdrop.hidden = false;
}

async function submitModal(viewId, button) {
  button.disabled = true;
  const errorLine = document.querySelector("#modal .modal-error");
  try {
    const result = await api("/sandbox/submit", { user: page.user, viewId, values: currentModalValues() });
    if (errorLine) errorLine.textContent = result.error && result.error !== "client_validation" ? `We had some trouble connecting: ${result.error}` : "";
    await refresh();
  } catch (e) {
    if (errorLine) errorLine.textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

async function closeModal(viewId) {
  await api("/sandbox/close-view", { user: page.user, viewId });
  await refresh();
}

async function send(text, threadTs) {
  const trimmed = text.trim();
  if (!trimmed) return;
  const command = page.state.command;
  if (!threadTs && (trimmed === command || trimmed.startsWith(command + " "))) {
    setStatus(`Sending ${command}…`);
    const result = await api("/sandbox/command", { user: page.user, channel: page.channel, text: trimmed.slice(command.length).trim() });
    setStatus(result.error ? `${command} failed with the error "${result.error}"` : "", !!result.error);
  } else if (!threadTs && /^\/(invite|remove)(\s|$)/.test(trimmed)) {
    await changeMembership(trimmed);
  } else if (trimmed.startsWith("/") && !threadTs) {
    setStatus(`${trimmed.split(" ")[0]} is not a valid command. In Slack, all messages that start with "/" are interpreted as commands.`, true);
  } else if (trimmed.startsWith("/") && threadTs) {
    setStatus("Slash commands are not supported in threads.", true);
  } else {
    await api("/sandbox/message", { user: page.user, channel: page.channel, text: trimmed, threadTs: threadTs || null });
    setStatus("");
  }
}

// "/invite @specific" and "/remove @specific", as typed in Slack; only the bot can be invited here.
async function changeMembership(typed) {
  const [command, who] = typed.split(/\s+/);
  const bot = page.state.bot_name;
  const mentionsBot = who === "@" + bot || who === `<@${page.state.bot_user_id}>` || who === bot;
  if (!mentionsBot) {
    setStatus(`In the sandbox only the app can be invited or removed: type ${command} @${bot}`, true);
    return;
  }
  const path = command === "/invite" ? "/sandbox/invite" : "/sandbox/remove";
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ channel: page.channel }) });
  const result = await response.json();
  if (!response.ok) { setStatus(result.problem || result.error, true); return; }
  setStatus(command === "/invite" ? `Added @${bot} to ${channelPrefix(result.channel)}${result.channel.name}.` : `Removed @${bot} from ${channelPrefix(result.channel)}${result.channel.name}.`);
  await refresh();
}

async function createChannel(name, isPrivate) {
  const response = await fetch("/sandbox/channels", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name, private: isPrivate, botMember: false }),
  });
  const result = await response.json();
  if (!response.ok) { setStatus(result.problem || result.error, true); return; }
  setStatus(`Created ${channelPrefix(result.channel)}${result.channel.name}. Type /invite @${page.state.bot_name} to add the app.`);
  switchChannel(result.channel.id);
}

// The lightning-bolt menu: the app's global shortcuts, as Slack lists them beside the message box.
function toggleShortcuts() {
  const menu = $("shortcuts-menu");
  if (!menu.hidden) { menu.hidden = true; return; }
  const shortcuts = page.state.shortcuts || [];
  menu.replaceChildren(...(shortcuts.length ? shortcuts.map((s) => {
    const item = el("button", "shortcut-item");
    item.type = "button";
    item.setAttribute("role", "menuitem");
    item.dataset.callbackId = s.callback_id;
    item.appendChild(el("strong", "", s.name));
    item.appendChild(el("div", "muted", s.description));
    item.addEventListener("click", async () => {
      menu.hidden = true;
      try {
        const result = await api("/sandbox/shortcut", { user: page.user, callbackId: s.callback_id });
        if (result.error) setStatus(`${s.name} failed: ${result.error}`, true);
      } catch (e) { setStatus(e.message, true); }
    });
    return item;
  }) : [el("div", "muted", "This app has no shortcuts.")]));
  menu.hidden = false;
}

function wireComposer(formId, inputId, threadOf) {
  const input = $(inputId);
  const submit = async (event) => {
    if (event) event.preventDefault();
    const text = input.value;
    input.value = "";
    try { await send(text, threadOf()); } catch (e) { setStatus(e.message, true); }
  };
  $(formId).addEventListener("submit", submit);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) submit(event);
  });
}

function start() {
  wireComposer("composer-form", "composer", () => null);
  $("shortcuts-button").addEventListener("click", toggleShortcuts);
  wireComposer("thread-form", "thread-composer", () => page.thread);
  $("thread-close").addEventListener("click", () => { page.thread = null; $("thread-pane").hidden = true; });
  $("user-switcher").addEventListener("change", (event) => {
    page.user = event.target.value;
    if (page.home) openHome().catch((e) => setStatus(e.message, true)); else refresh();
  });
  $("home-tab").addEventListener("click", () => openHome().catch((e) => setStatus(e.message, true)));
  $("add-channel").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("add-channel-id").value.trim().toUpperCase();
    $("add-channel-id").value = "";
    if (/^[CGD][A-Z0-9]+$/.test(id)) switchChannel(id);
  });
  $("new-channel").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("new-channel-name").value.trim();
    if (!name) return;
    $("new-channel-name").value = "";
    createChannel(name, $("new-channel-private").checked).catch((e) => setStatus(e.message, true));
  });
  const events = new EventSource("/sandbox/events");
  events.onmessage = () => refresh();
  events.onopen = () => refresh();
  (page.home ? openHome() : refresh()).then(() => {
    if (page.highlight) {
      const target = document.querySelector(`.message[data-ts="${CSS.escape(page.highlight)}"]`);
      if (target) target.scrollIntoView({ block: "center" }); else openThread(page.highlight);
    }
  });
}

start();
