using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using KubeMonitor.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace KubeMonitor.Exporter.Tests.Push;

/// <summary>A WireMock.Net server playing the facade's batch endpoint on a loopback address.</summary>
internal sealed class FakeFacade : IDisposable
{
    public const string BatchPath = "/api/nodes/node-1/batch";

    private readonly WireMockServer _server;

    private FakeFacade(WireMockServer server, string address, int port)
    {
        _server = server;
        Address = address;
        Port = port;
    }

    public string Address { get; }
    public int Port { get; }
    public Uri Url => new($"http://{Address}:{Port}");

    /// <summary>Starts a facade answering 202 to every batch (on a fresh port unless one is given).</summary>
    public static FakeFacade Start(int? port = null, string address = "127.0.0.1", Action<WireMockServer>? map = null)
    {
        var chosen = port ?? FreePort(address);
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://{address}:{chosen}"] });
        if (map is null)
        {
            server.Given(Request.Create().WithPath(BatchPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(202).WithHeader("Connection", "close"));
        }
        else
        {
            map(server);
        }
        return new FakeFacade(server, address, chosen);
    }

    /// <summary>A port nothing listens on (yet): a facade that is down.</summary>
    public static int FreePort(string address = "127.0.0.1")
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public IReadOnlyList<WireMock.Logging.ILogEntry> Requests => _server.LogEntries.ToList();

    /// <summary>The batches this facade answered with 2xx, in arrival order.</summary>
    public IReadOnlyList<Batch> Accepted =>
        Requests.Where(e => e.ResponseMessage.StatusCode is int status && status is >= 200 and < 300)
            .OrderBy(e => e.RequestMessage.DateTime)
            .Select(e => JsonSerializer.Deserialize(e.RequestMessage.BodyAsBytes!, ContractJson.Default.Batch)!)
            .ToList();

    /// <summary>
    /// Stops the facade and waits (bounded) until its port refuses connections: WireMock's
    /// Stop returns before Kestrel has let go of the listener.
    /// </summary>
    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Accepts())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Facade on {Address}:{Port} still accepts connections after Stop.");
            Thread.Sleep(20);
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Parse(Address), Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
