using System.Reflection;
using KubeMonitor.TestSupport;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>Where the built products are: the same Configuration these tests were built with.</summary>
internal static class Shipped
{
    public static string Configuration { get; } =
        typeof(Shipped).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "Configuration").Value
        ?? throw new InvalidOperationException("The test assembly does not record its Configuration.");

    public static string ExporterDll => Dll("exporter", "kubemonitor-exporter.dll");
    public static string FacadeDll => Dll("facade", "kubemonitor-facade.dll");

    private static string Dll(string project, string file)
    {
        var path = Path.Combine(RepoPaths.Root, project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built (the test project's references build it).", path);
    }
}
