#!/usr/bin/env node
// Drives the gateway's management MCP server (/admin/mcp) with the official TypeScript SDK client (Streamable HTTP,
// admin token in the Authorization header): lists its tools, registers a stdio server, lists services, reads the new
// server's tools, toggles it off and on, removes it; and checks that a client without the token is refused.
//
//   node admin-mcp-client.mjs --url http://127.0.0.1:18080/admin/mcp --token TOKEN --name NAME \
//        [--command mcp-gateway] [--arg demo-server ...] [--env KEY=VALUE ...] [--timeout-ms 40000]
//
// Prints exactly one JSON object on stdout: { ok, url, serverInfo, protocolVersion, checks: { name: {...} } } where
// every check has `ok` plus what it observed (tool results as structuredContent/isError/text). Exits 0 when every
// check passed, 1 when one failed (named on stderr), 2 on bad arguments or when the run timed out / could not connect.
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { closeClient, connectOrFinish, messageOf, recordServer, startReport, textOf } from "./lib/everything-checks.mjs";

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    token: { type: "string" },
    name: { type: "string", default: "interop-demo" },
    command: { type: "string", default: "mcp-gateway" },
    arg: { type: "string", multiple: true, default: ["demo-server"] },
    env: { type: "string", multiple: true, default: [] },
    "timeout-ms": { type: "string", default: "40000" },
    "request-timeout-ms": { type: "string", default: "20000" },
  },
});

if (!options.url || !options.token) {
  process.stderr.write("usage: admin-mcp-client.mjs --url URL --token TOKEN [--name NAME] [--command CMD] [--arg A ...]\n");
  process.exit(2);
}

const url = new URL(options.url);
const name = options.name;
const requestOptions = { timeout: Number(options["request-timeout-ms"]) };
const report = startReport({ url: url.toString(), checks: {} }, { runTimeout: Number(options["timeout-ms"]) });
const { check } = report;

function transportWith(token) {
  return new StreamableHTTPClientTransport(url, token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {});
}

/** A tool call as the report shows it: what an agent would read. */
async function call(client, tool, args) {
  const result = await client.callTool({ name: tool, arguments: args }, undefined, requestOptions);
  return { isError: result.isError === true, structuredContent: result.structuredContent ?? null, text: textOf(result) };
}

report.run(async () => {
  const client = new Client({ name: "admin-mcp-interop", version: "1.0.0" }, { capabilities: {} });
  const transport = transportWith(options.token);
  if (!(await connectOrFinish(report, client, transport, requestOptions, "connect with token"))) {
    return;
  }
  recordServer(report.result, client, transport, { withSessionId: true });

  await check("toolsList", async () => {
    const { tools } = await client.listTools({}, requestOptions);
    const register = tools.find((tool) => tool.name === "register_service");
    return {
      names: tools.map((tool) => tool.name),
      registerSchema: register?.inputSchema ?? null,
      removeAnnotations: tools.find((tool) => tool.name === "remove_service")?.annotations ?? null,
    };
  });

  await check("register", async () => call(client, "register_service", {
    name,
    description: "registered by the TypeScript SDK client",
    tags: ["interop"],
    command: options.command,
    args: options.arg,
    env: Object.fromEntries(options.env.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])),
  }));

  await check("listServices", async () => {
    const result = await call(client, "list_services", { tag: "interop" });
    return { ...result, names: (result.structuredContent?.servers ?? []).map((server) => server.name) };
  });

  await check("serviceTools", async () => {
    const result = await call(client, "get_service_tools", { name });
    return { ...result, names: (result.structuredContent?.tools ?? []).map((tool) => tool.name) };
  });

  await check("toggleOff", async () => call(client, "toggle_service", { name, enabled: false }));
  await check("toggleOn", async () => call(client, "toggle_service", { name }));
  await check("remove", async () => call(client, "remove_service", { name }));

  await check("listAfterRemove", async () => {
    const result = await call(client, "list_services", {});
    return { ...result, names: (result.structuredContent?.servers ?? []).map((server) => server.name) };
  });

  // The SDK turns -32602 into a thrown McpError; report its code.
  await check("schemaMismatch", async () => {
    try {
      await client.callTool({ name: "remove_service", arguments: { name, force: true } }, undefined, requestOptions);
      return { ok: false, error: "no error" };
    } catch (error) {
      return { code: error?.code ?? null, message: messageOf(error) };
    }
  });

  await check("close", async () => {
    await closeClient(client, transport);
    return {};
  });

  await check("withoutToken", async () => {
    const anonymous = new Client({ name: "admin-mcp-interop-anonymous", version: "1.0.0" }, { capabilities: {} });
    try {
      await anonymous.connect(transportWith(null), requestOptions);
      await anonymous.close();
      return { refused: false, ok: false };
    } catch (error) {
      return { refused: true, message: messageOf(error) };
    }
  });

  report.complete();
});
