using System.Net.Sockets;
using System.Text;

namespace Logbus.Specs.Hostile;

/// <summary>
/// An HTTP/1.1 GET with the request target sent byte for byte: <see cref="HttpClient"/> (through <see cref="Uri"/>)
/// removes dot segments before sending, which would hide a path traversal from the server.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Answer)> GetAsync(Uri server, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        // "HTTP/1.1 404 Not Found"
        var status = int.Parse(answer.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, answer);
    }
}
