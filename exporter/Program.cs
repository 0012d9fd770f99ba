using KubeMonitor.Exporter;

return await ExporterApp.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
