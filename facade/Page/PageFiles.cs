using Microsoft.Net.Http.Headers;

namespace KubeMonitor.Facade.Page;

/// <summary>
/// The page at <c>/</c> (docs/api.md section 9): the files that web/ builds into wwwroot/,
/// served by the facade itself. They hold no data, so they are served without a credential even
/// when reads are protected; everything the page shows comes from <c>/api</c>, which asks for it.
/// </summary>
internal static class PageFiles
{
    /// <summary>
    /// A build (not a publish) keeps the files in the project's wwwroot/ and lists them in a
    /// manifest beside the program; the host reads that manifest only in Development unless told
    /// to, and run.sh and the tests run the build in Production. Published output has no manifest
    /// and its own wwwroot/, so this changes nothing there.
    /// </summary>
    public static WebApplicationBuilder AddPageFiles(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary><c>/</c> is index.html; every file is revalidated (no-cache) so an upgraded facade never serves yesterday's script.</summary>
    public static WebApplication UsePageFiles(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        return app;
    }
}
