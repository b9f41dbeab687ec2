#!/usr/bin/env node
// Drives @modelcontextprotocol/server-everything (2026.8.31) through a gateway with the official TypeScript SDK client.
//
//   node ts-client-everything.mjs --url http://127.0.0.1:18080/servers/everything/mcp [--transport streamableHttp]
//   node ts-client-everything.mjs --url http://127.0.0.1:18080/servers/everything/sse --transport sse
//
// Options: --transport streamableHttp|sse (default streamableHttp), --timeout-ms N (whole run, default 50000),
//          --request-timeout-ms N (each request, default 20000).
//
// Prints exactly one JSON object on stdout: { ok, transport, url, serverInfo, protocolVersion, checks: { name: {...} } }
// where every check has `ok` plus what it observed. Exits 0 when every check passed, 1 when one failed (the failed
// checks are named on stderr), 2 on bad arguments or when the run timed out / could not connect.
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    transport: { type: "string", default: "streamableHttp" },
    "timeout-ms": { type: "string", default: "50000" },
    "request-timeout-ms": { type: "string", default: "20000" },
  },
});

if (!options.url || !["streamableHttp", "sse"].includes(options.transport)) {
  process.stderr.write("usage: ts-client-everything.mjs --url URL [--transport streamableHttp|sse] [--timeout-ms N]\n");
  process.exit(2);
}

const url = new URL(options.url);
const requestTimeout = Number(options["request-timeout-ms"]);
const runTimeout = Number(options["timeout-ms"]);

// What the client answers to the server's requests: the checks look for these exact values coming back.
const CANNED_SAMPLING_TEXT = "interop canned sampling answer 4711";
const CANNED_MODEL = "interop-canned-model";
const ELICITED_NAME = "Interop Tester";
const ROOT_URI = "file:///tmp/mcp-gateway-interop-root";

const result = {
  ok: false,
  transport: options.transport,
  url: url.toString(),
  serverInfo: null,
  protocolVersion: null,
  checks: {},
};

const received = { sampling: [], elicitation: [], roots: 0, logging: [] };
let wireLog = null;

const client = new Client(
  { name: "mcp-gateway-interop", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
);

client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  received.sampling.push(request.params);
  return {
    model: CANNED_MODEL,
    role: "assistant",
    stopReason: "endTurn",
    content: { type: "text", text: CANNED_SAMPLING_TEXT },
  };
});

client.setRequestHandler(ElicitRequestSchema, async (request) => {
  received.elicitation.push(request.params);
  return { action: "accept", content: { name: ELICITED_NAME, check: true } };
});

client.setRequestHandler(ListRootsRequestSchema, async () => {
  received.roots++;
  return { roots: [{ uri: ROOT_URI, name: "interop-root" }] };
});

client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
  received.logging.push(notification.params);
});

const transport =
  options.transport === "sse"
    ? new SSEClientTransport(url)
    : new StreamableHTTPClientTransport(url);

const requestOptions = { timeout: requestTimeout };

function textOf(callResult) {
  return (callResult?.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

async function check(name, body) {
  try {
    const observed = await body();
    const ok = observed.ok !== false;
    result.checks[name] = { ...observed, ok };
  } catch (error) {
    result.checks[name] = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

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

async function main() {
  try {
    await client.connect(transport, requestOptions);
  } catch (error) {
    result.error = `connect failed: ${error instanceof Error ? error.message : String(error)}`;
    finish(2, result.error);
    return;
  }

  // Every message the transport hands to the client, while a check wants to see the wire order.
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    wireLog?.push(message);
    deliver?.(message, extra);
  };

  result.serverInfo = client.getServerVersion() ?? null;
  result.protocolVersion = transport.protocolVersion ?? null;
  result.sessionId = transport.sessionId ?? null;
  result.serverCapabilities = client.getServerCapabilities() ?? null;

  await check("ping", async () => {
    await client.ping(requestOptions);
    return { ok: true };
  });

  await check("toolsList", async () => {
    const tools = [];
    let cursor;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, requestOptions);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    const names = tools.map((t) => t.name).sort();
    const echo = tools.find((t) => t.name === "echo");
    const expected = [
      "echo",
      "get-sum",
      "trigger-long-running-operation",
      "trigger-sampling-request",
      "trigger-elicitation-request",
      "get-roots-list",
    ];
    const missing = expected.filter((n) => !names.includes(n));
    return {
      ok: missing.length === 0,
      names,
      missing,
      echoInputSchema: echo?.inputSchema ?? null,
      echoAnnotations: echo?.annotations ?? null,
    };
  });

  await check("echo", async () => {
    const r = await client.callTool({ name: "echo", arguments: { message: "hello through the gateway ✓" } }, undefined, requestOptions);
    const text = textOf(r);
    return { ok: text === "Echo: hello through the gateway ✓" && !r.isError, text, isError: r.isError ?? false };
  });

  await check("getSum", async () => {
    const r = await client.callTool({ name: "get-sum", arguments: { a: 19, b: 23 } }, undefined, requestOptions);
    const text = textOf(r);
    return { ok: text.includes("is 42"), text };
  });

  await check("unknownTool", async () => {
    // The SDK server answers an unknown tool with an error result (or a JSON-RPC error); either must come back intact.
    try {
      const r = await client.callTool({ name: "no-such-tool-xyz", arguments: {} }, undefined, requestOptions);
      return { ok: r.isError === true, isError: r.isError ?? false, text: textOf(r) };
    } catch (error) {
      return { ok: typeof error?.code === "number", errorCode: error?.code ?? null, error: String(error?.message ?? error) };
    }
  });

  await check("promptsList", async () => {
    const r = await client.listPrompts({}, requestOptions);
    const names = r.prompts.map((p) => p.name).sort();
    const argsPrompt = r.prompts.find((p) => p.name === "args-prompt");
    return {
      ok: names.includes("simple-prompt") && names.includes("args-prompt"),
      names,
      argsPromptArguments: argsPrompt?.arguments ?? null,
    };
  });

  await check("simplePrompt", async () => {
    const r = await client.getPrompt({ name: "simple-prompt" }, requestOptions);
    const text = r.messages?.[0]?.content?.text ?? null;
    return { ok: text === "This is a simple prompt without arguments.", role: r.messages?.[0]?.role ?? null, text };
  });

  await check("argsPrompt", async () => {
    const r = await client.getPrompt({ name: "args-prompt", arguments: { city: "Lisbon", state: "Portugal" } }, requestOptions);
    const text = r.messages?.[0]?.content?.text ?? null;
    return { ok: text === "What's weather in Lisbon, Portugal?", text };
  });

  await check("resourcesList", async () => {
    const r = await client.listResources({}, requestOptions);
    const uris = r.resources.map((x) => x.uri).sort();
    const templates = await client.listResourceTemplates({}, requestOptions);
    const templateUris = templates.resourceTemplates.map((t) => t.uriTemplate).sort();
    return {
      ok: uris.includes("demo://resource/static/document/instructions.md") &&
        templateUris.includes("demo://resource/dynamic/text/{resourceId}"),
      uris,
      templateUris,
    };
  });

  await check("resourceRead", async () => {
    const uri = "demo://resource/dynamic/text/7";
    const r = await client.readResource({ uri }, requestOptions);
    const first = r.contents?.[0] ?? {};
    return {
      ok: first.uri === uri && typeof first.text === "string" && first.text.startsWith("Resource 7: This is a plaintext resource"),
      uri: first.uri ?? null,
      mimeType: first.mimeType ?? null,
      text: first.text ?? null,
    };
  });

  await check("staticResourceRead", async () => {
    const uri = "demo://resource/static/document/instructions.md";
    const r = await client.readResource({ uri }, requestOptions);
    const first = r.contents?.[0] ?? {};
    return {
      ok: first.uri === uri && first.mimeType === "text/markdown" && typeof first.text === "string" && first.text.length > 0,
      uri: first.uri ?? null,
      mimeType: first.mimeType ?? null,
      length: first.text?.length ?? 0,
    };
  });

  await check("sampling", async () => {
    const before = received.sampling.length;
    const r = await client.callTool(
      { name: "trigger-sampling-request", arguments: { prompt: "what is the answer?", maxTokens: 17 } },
      undefined,
      requestOptions,
    );
    const text = textOf(r);
    const request = received.sampling[before] ?? null;
    const requestText = request?.messages?.[0]?.content?.text ?? null;
    return {
      ok: received.sampling.length === before + 1 &&
        requestText === "Resource trigger-sampling-request context: what is the answer?" &&
        request?.maxTokens === 17 &&
        text.includes(CANNED_SAMPLING_TEXT) &&
        text.includes(CANNED_MODEL),
      samplingRequests: received.sampling.length - before,
      requestText,
      requestMaxTokens: request?.maxTokens ?? null,
      requestSystemPrompt: request?.systemPrompt ?? null,
      toolText: text,
    };
  });

  await check("progress", async () => {
    // Two views: what reached the SDK's onprogress callback, and what arrived on the wire (the transport), in order.
    // The wire view is what the gateway controls. The callback view can miss the last notification with the SSE
    // transport: the SDK dispatches notifications on a microtask but responses synchronously, and EventSource
    // delivers the events of one network chunk back to back, so a response right behind the last progress
    // notification removes the progress handler first (seen against server-everything's SSE mode directly too).
    const progress = [];
    wireLog = [];
    const r = await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.6, steps: 3 } },
      undefined,
      { ...requestOptions, onprogress: (p) => progress.push({ progress: p.progress, total: p.total ?? null }) },
    );
    const wire = wireLog;
    wireLog = null;
    const token = wire.find((m) => m.method === "notifications/progress")?.params?.progressToken;
    const wireOrder = wire
      .filter((m) => (m.method === "notifications/progress" && m.params?.progressToken === token) ||
        (m.method === undefined && m.id !== undefined && m.id === token))
      .map((m) => (m.method ? `progress:${m.params.progress}/${m.params.total}` : "result"));
    const text = textOf(r);
    const values = progress.map((p) => p.progress);
    return {
      ok: progress.length >= 1 &&
        progress.every((p) => p.total === 3 && p.progress >= 1 && p.progress <= 3) &&
        values.every((v, i) => i === 0 || v > values[i - 1]) &&
        wireOrder.join(",") === "progress:1/3,progress:2/3,progress:3/3,result" &&
        text.startsWith("Long running operation completed."),
      notifications: progress,
      values,
      wireOrder,
      toolText: text,
    };
  });

  await check("elicitation", async () => {
    const before = received.elicitation.length;
    const r = await client.callTool({ name: "trigger-elicitation-request", arguments: {} }, undefined, requestOptions);
    const text = textOf(r);
    const request = received.elicitation[before] ?? null;
    return {
      ok: received.elicitation.length === before + 1 &&
        request?.requestedSchema?.required?.includes("name") === true &&
        text.includes(`- Name: ${ELICITED_NAME}`) &&
        text.includes("- Agreed to terms: true"),
      elicitationRequests: received.elicitation.length - before,
      requestMessage: request?.message ?? null,
      toolText: text,
    };
  });

  await check("roots", async () => {
    const r = await client.callTool({ name: "get-roots-list", arguments: {} }, undefined, requestOptions);
    const text = textOf(r);
    return { ok: text.includes(ROOT_URI) && received.roots >= 1, rootsRequests: received.roots, toolText: text };
  });

  await check("loggingSetLevel", async () => {
    await client.setLoggingLevel("debug", requestOptions);
    return { ok: true, notificationsSoFar: received.logging.length };
  });

  // Shut down the way real clients do: Streamable HTTP deletes its session, then the transport closes.
  await check("close", async () => {
    if (options.transport === "streamableHttp" && transport.sessionId) {
      await transport.terminateSession();
    }
    await client.close();
    return { ok: true };
  });

  result.logging = received.logging.map((l) => ({ level: l.level, logger: l.logger ?? null, data: l.data }));
  const failed = Object.entries(result.checks).filter(([, c]) => !c.ok).map(([name]) => name);
  result.ok = failed.length === 0;
  result.failed = failed;
  finish(result.ok ? 0 : 1, result.ok ? null : `interop checks failed: ${failed.join(", ")}`);
}

main().catch((error) => {
  result.error = error instanceof Error ? error.stack ?? error.message : String(error);
  finish(2, `interop run crashed: ${result.error}`);
});
