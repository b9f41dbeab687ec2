#!/usr/bin/env node
// Drives the gateway's aggregated virtual server (/mcp) in front of server-everything, server-memory and
// server-filesystem (2026.8.31, over stdio) with the official TypeScript SDK client (Streamable HTTP).
//
//   node ts-client-aggregate.mjs --base-url http://127.0.0.1:18080/ --fs-dir /tmp/dir --fs-file notes.txt \
//        [--everything everything] [--memory memory] [--filesystem filesystem] [--view-path mcp] [--separator __]
//
// The names are the gateway's server names. Every member's own tool list is read first, directly through its
// passthrough endpoint /servers/{name}/mcp (same client capabilities), to know what the view must show.
//
// Options: --timeout-ms N (whole run, default 70000), --request-timeout-ms N (each request, default 20000).
//
// Prints exactly one JSON object on stdout: { ok, url, serverInfo, protocolVersion, members, checks: { name: {...} } }
// where every check has `ok` plus what it observed. Exits 0 when every check passed, 1 when one failed (the failed
// checks are named on stderr), 2 on bad arguments or when the run timed out / could not connect.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { randomUUID } from "node:crypto";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  closeCheck,
  closeClient,
  connectOrFinish,
  createInteropClient,
  describeError,
  everythingChecks,
  listAllTools,
  messageOf,
  pingCheck,
  recordServer,
  startReport,
  tapTransport,
  textOf,
} from "./lib/everything-checks.mjs";

const { values: options } = parseArgs({
  options: {
    "base-url": { type: "string" },
    "view-path": { type: "string", default: "mcp" },
    everything: { type: "string", default: "everything" },
    memory: { type: "string", default: "memory" },
    filesystem: { type: "string", default: "filesystem" },
    separator: { type: "string", default: "__" },
    "fs-dir": { type: "string" },
    "fs-file": { type: "string" },
    "timeout-ms": { type: "string", default: "70000" },
    "request-timeout-ms": { type: "string", default: "20000" },
  },
});

if (!options["base-url"] || !options["fs-dir"] || !options["fs-file"]) {
  process.stderr.write("usage: ts-client-aggregate.mjs --base-url URL --fs-dir DIR --fs-file NAME [--everything NAME] [--memory NAME] [--filesystem NAME]\n");
  process.exit(2);
}

const baseUrl = new URL(options["base-url"]);
const viewUrl = new URL(options["view-path"], baseUrl);
const members = { everything: options.everything, memory: options.memory, filesystem: options.filesystem };
const sep = options.separator;
const fsDir = options["fs-dir"];
const fsFile = join(fsDir, options["fs-file"]);
const requestTimeout = Number(options["request-timeout-ms"]);
const runTimeout = Number(options["timeout-ms"]);
const requestOptions = { timeout: requestTimeout };

// What the client answers to the servers' requests: the checks look for these exact values coming back.
const canned = {
  samplingText: "aggregate canned sampling answer 4712",
  model: "aggregate-canned-model",
  elicitedName: "Aggregate Tester",
  // The filesystem server replaces its allowed directories with the client's roots: answer with the served folder.
  rootUri: pathToFileURL(fsDir).href,
  rootName: "interop-fs-root",
};
// Spec: tool names are 1..128 of [A-Za-z0-9_.-] (the gateway promises to stay within it).
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

const prefixed = (member, name) => `${members[member]}${sep}${name}`;

const result = {
  ok: false,
  url: viewUrl.toString(),
  serverInfo: null,
  protocolVersion: null,
  members: {},
  checks: {},
};

const report = startReport(result, { runTimeout, errorCode: true });
const { check } = report;

const newClient = () => createInteropClient({ name: "mcp-gateway-interop-aggregate", canned, collectErrors: true });

// Every HTTP exchange of the aggregated client, compact, for diagnosing failures (no bodies beyond the JSON-RPC method/id).
const http = [];
const startedAt = performance.now();
async function tracingFetch(input, init) {
  const entry = { t: Math.round(performance.now() - startedAt), method: init?.method ?? "GET" };
  const headers = new Headers(init?.headers);
  if (headers.get("last-event-id")) {
    entry.lastEventId = headers.get("last-event-id");
  }
  if (typeof init?.body === "string") {
    try {
      const body = JSON.parse(init.body);
      entry.rpc = body.method ?? "response";
      entry.id = body.id ?? body.params?.requestId ?? null;
    } catch {
      // not JSON
    }
  }
  http.push(entry);
  try {
    const response = await fetch(input, init);
    entry.status = response.status;
    return response;
  } catch (error) {
    entry.error = messageOf(error);
    throw error;
  }
}

// Each member on its own, through its passthrough endpoint: the reference for the aggregated list.
async function readMember(role) {
  const name = members[role];
  const url = new URL(`servers/${encodeURIComponent(name)}/mcp`, baseUrl);
  const { client } = newClient();
  const transport = new StreamableHTTPClientTransport(url);
  try {
    await client.connect(transport, requestOptions);
    const { tools, pages } = await listAllTools(client, requestOptions, 100);
    result.members[role] = {
      server: name,
      url: url.toString(),
      serverInfo: client.getServerVersion() ?? null,
      count: tools.length,
      pages,
      names: tools.map((t) => t.name).sort(),
    };
  } finally {
    await closeClient(client, transport).catch(() => {});
  }
}

async function main() {
  await check("members", async () => {
    for (const role of Object.keys(members)) {
      await readMember(role);
    }
    const counts = Object.fromEntries(Object.entries(result.members).map(([role, m]) => [role, m.count]));
    return { ok: Object.values(counts).every((c) => c > 0), counts };
  });

  const { client, received } = newClient();
  const transport = new StreamableHTTPClientTransport(viewUrl, { fetch: tracingFetch });
  if (!(await connectOrFinish(report, client, transport, requestOptions, `connect to ${viewUrl} failed`))) {
    return;
  }

  // Every message the transport hands to the client, and every one it sends.
  const tap = tapTransport(transport);
  const wire = tap.incoming;
  const sent = tap.outgoing;
  const everything = everythingChecks({ client, received, tap, requestOptions, prefix: prefixed("everything", ""), canned });

  recordServer(result, client, transport);

  await check("ping", () => pingCheck(client, requestOptions));

  await check("toolsList", async () => {
    const { tools, pages } = await listAllTools(client, requestOptions, 100);
    const names = tools.map((t) => t.name);
    const expected = Object.entries(result.members)
      .flatMap(([role, m]) => m.names.map((n) => prefixed(role, n)))
      .sort();
    const sorted = [...names].sort();
    const missing = expected.filter((n) => !names.includes(n));
    const unexpected = names.filter((n) => !expected.includes(n));
    const duplicates = sorted.filter((n, i) => i > 0 && sorted[i - 1] === n);
    const invalidNames = names.filter((n) => !TOOL_NAME.test(n));
    const byPrefix = Object.fromEntries(
      Object.keys(members).map((role) => [role, names.filter((n) => n.startsWith(prefixed(role, ""))).length]),
    );
    const echo = tools.find((t) => t.name === prefixed("everything", "echo"));
    const readText = tools.find((t) => t.name === prefixed("filesystem", "read_text_file"));
    return {
      ok: expected.length > 0 && missing.length === 0 && unexpected.length === 0 && duplicates.length === 0 &&
        invalidNames.length === 0 && names.length === expected.length,
      count: names.length,
      expectedCount: expected.length,
      pages,
      byPrefix,
      names: sorted,
      missing,
      unexpected,
      duplicates,
      invalidNames,
      echoInputSchema: echo?.inputSchema ?? null,
      echoAnnotations: echo?.annotations ?? null,
      readTextFileTitle: readText?.title ?? null,
      readTextFileOutputSchema: readText?.outputSchema ?? null,
    };
  });

  await check("echo", () => everything.echo("hello through /mcp ✓"));

  const entity = `interop-entity-${randomUUID()}`;
  const observation = "created through the gateway's aggregated endpoint";
  result.entity = entity;

  await check("memoryCreateEntities", async () => {
    const r = await client.callTool(
      { name: prefixed("memory", "create_entities"), arguments: { entities: [{ name: entity, entityType: "interop-test", observations: [observation] }] } },
      undefined,
      requestOptions,
    );
    const created = r.structuredContent?.entities ?? [];
    return {
      ok: !r.isError && created.length === 1 && created[0].name === entity,
      isError: r.isError ?? false,
      created,
      text: textOf(r),
    };
  });

  await check("memoryReadGraph", async () => {
    const r = await client.callTool({ name: prefixed("memory", "read_graph"), arguments: {} }, undefined, requestOptions);
    const entities = r.structuredContent?.entities ?? [];
    const found = entities.find((e) => e.name === entity) ?? null;
    return {
      ok: !r.isError && found !== null && found.entityType === "interop-test" && found.observations?.includes(observation) === true,
      isError: r.isError ?? false,
      entity: found,
      entityCount: entities.length,
    };
  });

  await check("resources", async () => {
    // Resources keep their URIs in the view and are routed by URI.
    const list = await client.listResources({}, requestOptions);
    const uris = list.resources.map((x) => x.uri).sort();
    const read = await client.readResource({ uri: "memory://knowledge-graph" }, requestOptions);
    const first = read.contents?.[0] ?? {};
    return {
      ok: uris.includes("memory://knowledge-graph") && uris.includes("demo://resource/static/document/instructions.md") &&
        first.uri === "memory://knowledge-graph" && typeof first.text === "string" && first.text.includes(entity),
      uris,
      readUri: first.uri ?? null,
      readMimeType: first.mimeType ?? null,
      readContainsEntity: typeof first.text === "string" && first.text.includes(entity),
    };
  });

  await check("filesystemRead", async () => {
    const expected = readFileSync(fsFile, "utf8");
    const r = await client.callTool({ name: prefixed("filesystem", "read_text_file"), arguments: { path: fsFile } }, undefined, requestOptions);
    const text = textOf(r);
    return {
      ok: !r.isError && text === expected && r.structuredContent?.content === expected,
      isError: r.isError ?? false,
      path: fsFile,
      text,
      structuredContent: r.structuredContent ?? null,
    };
  });

  await check("filesystemList", async () => {
    const r = await client.callTool({ name: prefixed("filesystem", "list_directory"), arguments: { path: fsDir } }, undefined, requestOptions);
    const text = textOf(r);
    return { ok: !r.isError && text.includes(options["fs-file"]), isError: r.isError ?? false, text };
  });

  await check("sampling", () => everything.sampling({ prompt: "what is the aggregate answer?", maxTokens: 23 }));

  await check("elicitation", () => everything.elicitation());

  await check("progress", () => everything.progress());

  await check("cancel", async () => {
    // The operation runs 3 s in 6 steps; the client aborts it on its first progress notification.
    const args = { duration: 3, steps: 6 };
    const controller = new AbortController();
    const progressBeforeAbort = [];
    const errorsBefore = received.errors.length;
    const sentFrom = sent.length;
    const startedAt = performance.now();
    let abortedAt = null;
    let abortWireIndex = null;
    let outcome;
    try {
      const r = await client.callTool({ name: everything.tool("trigger-long-running-operation"), arguments: args }, undefined, {
        ...requestOptions,
        signal: controller.signal,
        onprogress: (p) => {
          progressBeforeAbort.push(p.progress);
          if (abortedAt === null) {
            abortedAt = performance.now();
            abortWireIndex = wire.length;
            controller.abort("interop: cancelled by the client");
          }
        },
      });
      outcome = { settled: "result", text: textOf(r) };
    } catch (error) {
      outcome = { settled: "rejected", error: describeError(error) };
    }
    const settledAt = performance.now();
    const cancelledToken = sent.slice(sentFrom).find((m) => m.method === "tools/call")?.params?._meta?.progressToken ?? null;
    const cancelNotification = sent.slice(sentFrom).find((m) => m.method === "notifications/cancelled") ?? null;

    // Wait (on the upstream's own clock, not a fixed sleep) until the cancelled operation would have finished: the
    // same operation started after the cancellation ends after it, on the same upstream process. Everything the
    // cancelled call would still have produced (progress, its result) is on the wire before this one's result.
    const sentinel = await everything.longRunning(args);

    await client.ping(requestOptions);
    const after = wire.slice(abortWireIndex ?? wire.length);
    // Progress that belongs to no active request of this client: the cancelled one's (under any token) or foreign.
    const straysProgress = after.filter((m) => m.method === "notifications/progress" && m.params?.progressToken !== sentinel.token);
    const lateAnswers = after.filter((m) => m.method === undefined && m.id !== undefined && m.id === cancelledToken);
    const sentinelText = textOf(sentinel.r);
    const clientErrors = received.errors.slice(errorsBefore);
    return {
      ok: outcome.settled === "rejected" &&
        progressBeforeAbort.length >= 1 &&
        abortedAt !== null && abortedAt - startedAt < 2500 &&
        straysProgress.length === 0 &&
        sentinel.wireOrder.join(",") === "progress:1/6,progress:2/6,progress:3/6,progress:4/6,progress:5/6,progress:6/6,result" &&
        sentinelText.startsWith("Long running operation completed.") &&
        cancelNotification?.params?.requestId === cancelledToken,
      outcome,
      cancelledToken,
      cancelNotification: cancelNotification?.params ?? null,
      progressBeforeAbort,
      abortAfterMs: abortedAt === null ? null : Math.round(abortedAt - startedAt),
      settledAfterAbortMs: abortedAt === null ? null : Math.round(settledAt - abortedAt),
      strayProgressAfterCancel: straysProgress.map((m) => m.params),
      // Observed, not required: whatever the gateway still sends for the cancelled id (the client ignores it).
      answersAfterCancel: lateAnswers,
      sentinelWireOrder: sentinel.wireOrder,
      sentinelText,
      clientErrors,
    };
  });

  await check("close", () => closeCheck(client, transport));

  result.rootsRequests = received.roots;
  result.http = http;
  result.clientErrors = received.errors;
  report.complete();
}

report.run(main);
