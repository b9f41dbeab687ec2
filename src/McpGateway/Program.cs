using McpGateway.Hosting;

return await GatewayCommandLine.RunAsync(args);
