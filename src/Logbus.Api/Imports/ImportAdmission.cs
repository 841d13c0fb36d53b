using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Imports;

/// <summary>
/// Lets an upload in, or says which limit keeps it out: a bulkhead (<c>Imports:MaxConcurrentUploads</c> uploads read
/// at once) and a rate per client (<c>Imports:UploadsPerMinutePerClient</c>, by API key, else by IP address).
/// </summary>
public sealed class ImportAdmission : IDisposable
{
    private readonly ImportUploadOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly PartitionedRateLimiter<string> _rate;

    public ImportAdmission(IOptions<ImportUploadOptions> options)
    {
        _options = options.Value;
        _slots = new SemaphoreSlim(_options.MaxConcurrentUploads, _options.MaxConcurrentUploads);
        var perMinute = _options.UploadsPerMinutePerClient;
        _rate = PartitionedRateLimiter.Create<string, string>(client => perMinute == 0
            ? RateLimitPartition.GetNoLimiter(client)
            : RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
            {
                // A minute's worth of burst, refilled evenly over the minute.
                TokenLimit = perMinute,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>A slot for one upload (dispose it when the upload ends), or the 429 that refuses it.</summary>
    public (IDisposable? Slot, IResult? Refusal) TryEnter(HttpContext context, string client)
    {
        using (var lease = _rate.AttemptAcquire(client))
        {
            if (!lease.IsAcquired)
            {
                var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                return (null, TooMany(context, wait, "Too many uploads from this client",
                    $"This client may start {_options.UploadsPerMinutePerClient} uploads per minute " +
                    "(Imports:UploadsPerMinutePerClient)."));
            }
        }

        if (!_slots.Wait(0))
        {
            return (null, TooMany(context, TimeSpan.FromSeconds(5), "Too many uploads at once",
                $"The Api reads at most {_options.MaxConcurrentUploads} uploads at once (Imports:MaxConcurrentUploads); " +
                "send this one when another finished."));
        }

        return (new Slot(_slots), null);
    }

    public void Dispose()
    {
        _rate.Dispose();
        _slots.Dispose();
    }

    private static IResult TooMany(HttpContext context, TimeSpan wait, string title, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem($"{detail} Retry after {seconds} s.", statusCode: StatusCodes.Status429TooManyRequests, title: title);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
