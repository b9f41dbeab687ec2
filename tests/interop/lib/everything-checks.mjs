// What the interop scripts of tests/interop share: the TypeScript SDK client with its canned answers to the server's
// requests, the report plumbing (checks, watchdog, exit codes) and the checks of server-everything's server-to-client
// traffic (sampling, elicitation, progress), parameterised by the prefix its tool names carry behind the gateway
// ("" on the passthrough endpoint, "everything__" on the aggregated /mcp).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

/** "message" of an error, or the thing itself as text. */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** "Name: message" of an error, or the thing itself as text. */
export function describeError(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function textOf(callResult) {
  return (callResult?.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

/**
 * A client with sampling, elicitation and roots that answers the server's requests with the canned values
 * ({ samplingText, model, elicitedName, rootUri, rootName }) and records them in `received`; with `collectLogging`
 * it also records log notifications (received.logging), with `collectErrors` the client's errors (received.errors).
 */
export function createInteropClient({ name, canned, collectLogging = false, collectErrors = false }) {
  const received = { sampling: [], elicitation: [], roots: 0, logging: [], errors: [] };
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    received.sampling.push(request.params);
    return { model: canned.model, role: "assistant", stopReason: "endTurn", content: { type: "text", text: canned.samplingText } };
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    received.elicitation.push(request.params);
    return { action: "accept", content: { name: canned.elicitedName, check: true } };
  });
  client.setRequestHandler(ListRootsRequestSchema, async () => {
    received.roots++;
    return { roots: [{ uri: canned.rootUri, name: canned.rootName }] };
  });
  if (collectLogging) {
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      received.logging.push(notification.params);
    });
  }
  if (collectErrors) {
    client.onerror = (error) => received.errors.push(messageOf(error));
  }
  return { client, received };
}

/** Connects; on failure records `${label}: reason` as the run's error and ends the run with exit code 2. */
export async function connectOrFinish(report, client, transport, requestOptions, label) {
  try {
    await client.connect(transport, requestOptions);
    return true;
  } catch (error) {
    report.result.error = `${label}: ${messageOf(error)}`;
    report.finish(2, report.result.error);
    return false;
  }
}

/** Records every message the (connected) transport hands to the client (`incoming`) and every one it sends (`outgoing`). */
export function tapTransport(transport) {
  const tap = { incoming: [], outgoing: [] };
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    tap.incoming.push(message);
    deliver?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = (message, sendOptions) => {
    tap.outgoing.push(message);
    return send(message, sendOptions);
  };
  return tap;
}

/** Streamable HTTP clients end their session with DELETE, then close (an SSE transport has no session id). */
export async function closeClient(client, transport) {
  if (transport.sessionId) {
    await transport.terminateSession();
  }
  await client.close();
}

/** What the connected client learnt about the server, into the report (`withSessionId`: the transport's session id too). */
export function recordServer(result, client, transport, { withSessionId = false } = {}) {
  result.serverInfo = client.getServerVersion() ?? null;
  result.protocolVersion = transport.protocolVersion ?? null;
  if (withSessionId) {
    result.sessionId = transport.sessionId ?? null;
  }
  result.serverCapabilities = client.getServerCapabilities() ?? null;
}

export async function pingCheck(client, requestOptions) {
  await client.ping(requestOptions);
  return { ok: true };
}

// Shut down the way real clients do: Streamable HTTP deletes its session, then the transport closes.
export async function closeCheck(client, transport) {
  await closeClient(client, transport);
  return { ok: true };
}

export async function listAllTools(client, requestOptions, maxPages = Infinity) {
  const tools = [];
  let pages = 0;
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, requestOptions);
    pages++;
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor && pages < maxPages);
  return { tools, pages };
}

/** A request's progress notifications and its result as they arrived, e.g. ["progress:1/3", ..., "result"]. */
export function progressWireOrder(messages, token) {
  return messages
    .filter((m) => (m.method === "notifications/progress" && m.params?.progressToken === token) ||
      (m.method === undefined && m.id !== undefined && m.id === token))
    .map((m) => (m.method ? `progress:${m.params.progress}/${m.params.total}` : "result"));
}

/**
 * The report every script prints: exactly one JSON object on stdout (`result`), exit code 0 when every check passed,
 * 1 when one failed (named on stderr), 2 when the run timed out (after `runTimeout` ms), could not connect or crashed.
 * With `errorCode`, a check that threw also reports the error's JSON-RPC code.
 */
export function startReport(result, { runTimeout, errorCode = false }) {
  function finish(code, message) {
    if (message) {
      process.stderr.write(message + "\n");
    }
    process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(code));
  }

  const watchdog = setTimeout(() => {
    result.error = `timed out after ${runTimeout} ms`;
    finish(2, `interop run timed out after ${runTimeout} ms`);
  }, runTimeout);
  watchdog.unref();

  async function check(name, body) {
    try {
      const observed = await body();
      result.checks[name] = { ...observed, ok: observed.ok !== false };
    } catch (error) {
      result.checks[name] = errorCode
        ? { ok: false, error: describeError(error), code: error?.code ?? null }
        : { ok: false, error: describeError(error) };
    }
  }

  // Every check ran: ok when none failed.
  function complete() {
    const failed = Object.entries(result.checks).filter(([, c]) => !c.ok).map(([name]) => name);
    result.ok = failed.length === 0;
    result.failed = failed;
    finish(result.ok ? 0 : 1, result.ok ? null : `interop checks failed: ${failed.join(", ")}`);
  }

  function run(main) {
    main().catch((error) => {
      result.error = error instanceof Error ? error.stack ?? error.message : String(error);
      finish(2, `interop run crashed: ${result.error}`);
    });
  }

  return { result, check, finish, complete, run };
}

/**
 * Checks of server-everything (2026.8.31) behind the gateway, its tool names carrying `prefix`. Each returns what a
 * check observed (with `ok`). `tap` is tapTransport's record of the client's transport, `canned` the client's answers.
 */
export function everythingChecks({ client, received, tap, requestOptions, prefix, canned }) {
  const tool = (name) => `${prefix}${name}`;

  async function echo(message) {
    const r = await client.callTool({ name: tool("echo"), arguments: { message } }, undefined, requestOptions);
    const text = textOf(r);
    return { ok: text === `Echo: ${message}` && !r.isError, text, isError: r.isError ?? false };
  }

  // The tool asks the client for a completion and returns it; `withSystemPrompt` also reports the request's system prompt.
  async function sampling({ prompt, maxTokens, withSystemPrompt = false }) {
    const before = received.sampling.length;
    const r = await client.callTool(
      { name: tool("trigger-sampling-request"), arguments: { prompt, maxTokens } },
      undefined,
      requestOptions,
    );
    const text = textOf(r);
    const request = received.sampling[before] ?? null;
    const requestText = request?.messages?.[0]?.content?.text ?? null;
    return {
      ok: received.sampling.length === before + 1 &&
        requestText === `Resource trigger-sampling-request context: ${prompt}` &&
        request?.maxTokens === maxTokens &&
        text.includes(canned.samplingText) &&
        text.includes(canned.model),
      samplingRequests: received.sampling.length - before,
      requestText,
      requestMaxTokens: request?.maxTokens ?? null,
      ...(withSystemPrompt ? { requestSystemPrompt: request?.systemPrompt ?? null } : {}),
      toolText: text,
    };
  }

  async function elicitation() {
    const before = received.elicitation.length;
    const r = await client.callTool({ name: tool("trigger-elicitation-request"), arguments: {} }, undefined, requestOptions);
    const text = textOf(r);
    const request = received.elicitation[before] ?? null;
    return {
      ok: received.elicitation.length === before + 1 &&
        request?.requestedSchema?.required?.includes("name") === true &&
        text.includes(`- Name: ${canned.elicitedName}`) &&
        text.includes("- Agreed to terms: true"),
      elicitationRequests: received.elicitation.length - before,
      requestMessage: request?.message ?? null,
      toolText: text,
    };
  }

  // A long-running call with progress: what reached onprogress, what arrived on the wire meanwhile (`seen`) and the
  // progress token the client sent (the SDK's is the request's id), with the wire order of that request's traffic.
  async function longRunning(args, extraOptions = {}) {
    const progress = [];
    const from = tap.incoming.length;
    const sentFrom = tap.outgoing.length;
    const r = await client.callTool({ name: tool("trigger-long-running-operation"), arguments: args }, undefined, {
      ...requestOptions,
      ...extraOptions,
      onprogress: (p) => {
        progress.push({ progress: p.progress, total: p.total ?? null });
        extraOptions.onprogress?.(p);
      },
    });
    const seen = tap.incoming.slice(from);
    const token = tap.outgoing.slice(sentFrom).find((m) => m.method === "tools/call")?.params?._meta?.progressToken;
    return { r, progress, seen, token, wireOrder: progressWireOrder(seen, token) };
  }

  // Three steps: two views, what reached the SDK's onprogress callback and what arrived on the wire, in order. The wire
  // view is what the gateway controls. Strict by default: the callback saw 1, 2, 3 and the wire order is keyed by the
  // token the client sent. With `lenientCallback` (a script that also runs over SSE) the callback view only needs
  // increasing values within 1..3 and is reported as `notifications`, and the wire order is keyed by the token of the
  // first progress notification on the wire. The callback view can miss the last notification with the SSE
  // transport: the SDK dispatches notifications on a microtask but responses synchronously, and EventSource
  // delivers the events of one network chunk back to back, so a response right behind the last progress
  // notification removes the progress handler first (seen against server-everything's SSE mode directly too).
  async function progress({ lenientCallback = false } = {}) {
    const run = await longRunning({ duration: 0.6, steps: 3 });
    const wireOrder = lenientCallback
      ? progressWireOrder(run.seen, run.seen.find((m) => m.method === "notifications/progress")?.params?.progressToken)
      : run.wireOrder;
    const text = textOf(run.r);
    const values = run.progress.map((p) => p.progress);
    const callbackOk = lenientCallback
      ? run.progress.length >= 1 &&
        run.progress.every((p) => p.total === 3 && p.progress >= 1 && p.progress <= 3) &&
        values.every((v, i) => i === 0 || v > values[i - 1])
      : values.join(",") === "1,2,3" && run.progress.every((p) => p.total === 3);
    return {
      ok: callbackOk &&
        wireOrder.join(",") === "progress:1/3,progress:2/3,progress:3/3,result" &&
        text.startsWith("Long running operation completed."),
      ...(lenientCallback ? { notifications: run.progress } : {}),
      values,
      wireOrder,
      toolText: text,
    };
  }

  return { tool, echo, sampling, elicitation, longRunning, progress };
}
