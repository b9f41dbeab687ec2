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
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  closeCheck,
  connectOrFinish,
  createInteropClient,
  everythingChecks,
  listAllTools,
  pingCheck,
  recordServer,
  startReport,
  tapTransport,
  textOf,
} from "./lib/everything-checks.mjs";

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
const requestOptions = { timeout: requestTimeout };

// What the client answers to the server's requests: the checks look for these exact values coming back.
const canned = {
  samplingText: "interop canned sampling answer 4711",
  model: "interop-canned-model",
  elicitedName: "Interop Tester",
  rootUri: "file:///tmp/mcp-gateway-interop-root",
  rootName: "interop-root",
};

const result = {
  ok: false,
  transport: options.transport,
  url: url.toString(),
  serverInfo: null,
  protocolVersion: null,
  checks: {},
};

const report = startReport(result, { runTimeout });
const { check } = report;

const { client, received } = createInteropClient({ name: "mcp-gateway-interop", canned, collectLogging: true });

const transport =
  options.transport === "sse"
    ? new SSEClientTransport(url)
    : new StreamableHTTPClientTransport(url);

async function main() {
  if (!(await connectOrFinish(report, client, transport, requestOptions, "connect failed"))) {
    return;
  }

  // Every message the transport hands to the client (and sends), for the checks that want to see the wire order.
  const tap = tapTransport(transport);
  const everything = everythingChecks({ client, received, tap, requestOptions, prefix: "", canned });

  recordServer(result, client, transport, { withSessionId: true });

  await check("ping", () => pingCheck(client, requestOptions));

  await check("toolsList", async () => {
    const { tools } = await listAllTools(client, requestOptions);
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

  await check("echo", () => everything.echo("hello through the gateway ✓"));

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

  await check("sampling", () => everything.sampling({ prompt: "what is the answer?", maxTokens: 17, withSystemPrompt: true }));

  // Lenient about the callback view: this script also runs over SSE (see everythingChecks' progress).
  await check("progress", () => everything.progress({ lenientCallback: true }));

  await check("elicitation", () => everything.elicitation());

  await check("roots", async () => {
    const r = await client.callTool({ name: "get-roots-list", arguments: {} }, undefined, requestOptions);
    const text = textOf(r);
    return { ok: text.includes(canned.rootUri) && received.roots >= 1, rootsRequests: received.roots, toolText: text };
  });

  await check("loggingSetLevel", async () => {
    await client.setLoggingLevel("debug", requestOptions);
    return { ok: true, notificationsSoFar: received.logging.length };
  });

  await check("close", () => closeCheck(client, transport));

  result.logging = received.logging.map((l) => ({ level: l.level, logger: l.logger ?? null, data: l.data }));
  report.complete();
}

report.run(main);
